<?php
/**
 * WooCommerce > Korea Checkout: settings, "Connect store", "Test connection" and the
 * connection's health line.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page. Every action checks a nonce and manage_woocommerce.
 */
final class Korea_Checkout_Admin {

	const PAGE = 'korea-checkout';
	const CAPABILITY = 'manage_woocommerce';
	const CONNECTION_OPTION = 'korea_checkout_connection';
	const STATE_TRANSIENT = 'korea_checkout_connection_state';

	/**
	 * Hooks the menu and the form handlers.
	 */
	public static function init() {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ), 60 );
		add_action( 'admin_post_korea_checkout_save', array( __CLASS__, 'save' ) );
		add_action( 'admin_post_korea_checkout_connect', array( __CLASS__, 'connect' ) );
		add_action( 'admin_post_korea_checkout_test', array( __CLASS__, 'test' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( KOREA_CHECKOUT_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * Adds the submenu under WooCommerce.
	 */
	public static function menu() {
		add_submenu_page( 'woocommerce', __( 'Korea Checkout', 'korea-checkout' ), __( 'Korea Checkout', 'korea-checkout' ), self::CAPABILITY, self::PAGE, array( __CLASS__, 'render' ) );
	}

	/**
	 * "Settings" on the Plugins screen.
	 *
	 * @param string[] $links Links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		array_unshift( $links, '<a href="' . esc_url( self::page_url() ) . '">' . esc_html__( 'Settings', 'korea-checkout' ) . '</a>' );
		return $links;
	}

	/**
	 * The page URL.
	 *
	 * @param array<string, string> $args Extra query arguments.
	 * @return string
	 */
	public static function page_url( array $args = array() ) {
		return add_query_arg( array_merge( array( 'page' => self::PAGE ), $args ), admin_url( 'admin.php' ) );
	}

	/**
	 * Saves the settings form. The key field shows only a mask: left as it is, the stored key stays.
	 */
	public static function save() {
		self::guard( 'korea_checkout_save' );
		// phpcs:disable WordPress.Security.NonceVerification.Missing -- guard() verified the nonce.
		$values  = array(
			'api_url'        => isset( $_POST['api_url'] ) ? esc_url_raw( wp_unslash( $_POST['api_url'] ) ) : '',
			'status_mapping' => isset( $_POST['status_mapping'] ) ? sanitize_key( wp_unslash( $_POST['status_mapping'] ) ) : 'automatic',
			'methods'        => isset( $_POST['methods'] ) ? array_map( 'sanitize_key', (array) wp_unslash( $_POST['methods'] ) ) : array(),
			'debug'          => empty( $_POST['debug'] ) ? 'no' : 'yes',
		);
		$new_key = isset( $_POST['api_key'] ) ? trim( sanitize_text_field( wp_unslash( $_POST['api_key'] ) ) ) : '';
		// phpcs:enable
		if ( ! in_array( $values['status_mapping'], Korea_Checkout_Settings::STATUS_MAPPINGS, true ) ) {
			$values['status_mapping'] = 'automatic';
		}
		$values['methods'] = array_values( array_intersect( array_keys( Korea_Checkout_Methods::all() ), $values['methods'] ) );
		$notice            = 'saved';
		if ( '' !== $new_key && Korea_Checkout_Settings::mask_key( (string) Korea_Checkout_Settings::get( 'api_key' ) ) !== $new_key ) {
			if ( '' === Korea_Checkout_Settings::mode( $new_key ) ) {
				$notice = 'bad_key';
			} else {
				$values['api_key'] = $new_key;
			}
		}
		Korea_Checkout_Settings::save( $values );
		wp_safe_redirect( self::page_url( array( 'kc_notice' => $notice ) ) );
		exit;
	}

	/**
	 * "Connect store": a read/write WooCommerce REST key for the bridge, registered with
	 * POST /bridge/v1/stores/connect. A key from an earlier connection is revoked.
	 */
	public static function connect() {
		self::guard( 'korea_checkout_connect' );
		$previous = self::connection();
		$key      = self::create_rest_key();
		$answer   = ( new Korea_Checkout_Api() )->connect_store(
			array(
				'siteUrl'        => home_url( '/' ),
				'consumerKey'    => $key['consumer_key'],
				'consumerSecret' => $key['consumer_secret'],
			)
		);
		if ( is_wp_error( $answer ) ) {
			self::delete_rest_key( $key['key_id'] );
			self::record( array( 'last_error' => self::describe( $answer ) ) );
			wp_safe_redirect( self::page_url( array( 'kc_notice' => 'connect_failed' ) ) );
			exit;
		}
		if ( ! empty( $previous['rest_key_id'] ) ) {
			self::delete_rest_key( (int) $previous['rest_key_id'] );
		}
		delete_transient( self::STATE_TRANSIENT );
		$data = isset( $answer['data'] ) && is_array( $answer['data'] ) ? $answer['data'] : array();
		self::record(
			array(
				'rest_key_id'  => $key['key_id'],
				'store_id'     => isset( $data['storeId'] ) ? (string) $data['storeId'] : '',
				'status'       => isset( $data['status'] ) ? (string) $data['status'] : '',
				'mode'         => isset( $data['mode'] ) ? (string) $data['mode'] : '',
				'connected_at' => isset( $data['connectedAt'] ) ? (string) $data['connectedAt'] : '',
				'last_error'   => '',
			)
		);
		wp_safe_redirect( self::page_url( array( 'kc_notice' => 'connected' ) ) );
		exit;
	}

	/**
	 * "Test connection": asks the bridge for the connected store.
	 */
	public static function test() {
		self::guard( 'korea_checkout_test' );
		delete_transient( self::STATE_TRANSIENT );
		$state = self::state();
		wp_safe_redirect( self::page_url( array( 'kc_notice' => 'connected' === $state['status'] ? 'test_ok' : 'test_failed' ) ) );
		exit;
	}

	/**
	 * The bridge's view of the store, cached for ten minutes (cleared by saving or testing).
	 *
	 * @return array<string, string>
	 */
	public static function state() {
		$cached = get_transient( self::STATE_TRANSIENT );
		if ( is_array( $cached ) ) {
			return $cached;
		}
		$answer = ( new Korea_Checkout_Api() )->current_store();
		if ( is_wp_error( $answer ) ) {
			$data  = (array) $answer->get_error_data();
			$state = array(
				// An answer (401, 404) means "not connected"; no answer means unreachable.
				'status' => empty( $data['status'] ) ? 'error' : 'not_connected',
				'error'  => self::describe( $answer ),
			);
			self::record( array( 'last_error' => $state['error'] ) );
		} else {
			$data  = isset( $answer['data'] ) && is_array( $answer['data'] ) ? $answer['data'] : array();
			$state = array(
				'status'   => isset( $data['status'] ) ? (string) $data['status'] : '',
				'store_id' => isset( $data['storeId'] ) ? (string) $data['storeId'] : '',
				'mode'     => isset( $data['mode'] ) ? (string) $data['mode'] : '',
				'error'    => '',
			);
		}
		set_transient( self::STATE_TRANSIENT, $state, 10 * MINUTE_IN_SECONDS );
		return $state;
	}

	/**
	 * The stored connection record.
	 *
	 * @return array<string, mixed>
	 */
	public static function connection() {
		$stored = get_option( self::CONNECTION_OPTION, array() );
		return is_array( $stored ) ? $stored : array();
	}

	/**
	 * Merges values into the connection record.
	 *
	 * @param array<string, mixed> $values Values.
	 */
	public static function record( array $values ) {
		if ( isset( $values['last_error'] ) && '' !== $values['last_error'] ) {
			$values['last_error_at'] = gmdate( 'c' );
		}
		update_option( self::CONNECTION_OPTION, array_merge( self::connection(), $values ), false );
	}

	/**
	 * Renders the page.
	 */
	public static function render() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You do not have permission to manage Korea Checkout.', 'korea-checkout' ) );
		}
		$settings   = Korea_Checkout_Settings::all();
		$connection = self::connection();
		$has_key    = '' !== (string) $settings['api_key'];
		$state      = $has_key ? self::state() : array(
			'status' => '',
			'error'  => '',
		);
		require KOREA_CHECKOUT_DIR . 'includes/views/settings-page.php';
	}

	/**
	 * Stops anything without the nonce or the capability.
	 *
	 * @param string $action Nonce action.
	 */
	private static function guard( $action ) {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'You do not have permission to manage Korea Checkout.', 'korea-checkout' ), 403 );
		}
		check_admin_referer( $action );
	}

	/**
	 * A WooCommerce REST key for the bridge (read_write, owned by the current user), made
	 * as WooCommerce's own key screen makes one: only the hash of the consumer key is stored.
	 *
	 * @return array{key_id:int, consumer_key:string, consumer_secret:string}
	 */
	private static function create_rest_key() {
		global $wpdb;
		$consumer_key    = 'ck_' . wc_rand_hash();
		$consumer_secret = 'cs_' . wc_rand_hash();
		$wpdb->insert( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
			$wpdb->prefix . 'woocommerce_api_keys',
			array(
				'user_id'         => get_current_user_id(),
				'description'     => 'Korea Checkout bridge',
				'permissions'     => 'read_write',
				'consumer_key'    => wc_api_hash( $consumer_key ),
				'consumer_secret' => $consumer_secret,
				'truncated_key'   => substr( $consumer_key, -7 ),
			),
			array( '%d', '%s', '%s', '%s', '%s', '%s' )
		);
		return array(
			'key_id'          => (int) $wpdb->insert_id,
			'consumer_key'    => $consumer_key,
			'consumer_secret' => $consumer_secret,
		);
	}

	/**
	 * Revokes a REST key the plugin made.
	 *
	 * @param int $key_id Key id.
	 */
	private static function delete_rest_key( $key_id ) {
		global $wpdb;
		$wpdb->delete( $wpdb->prefix . 'woocommerce_api_keys', array( 'key_id' => (int) $key_id ), array( '%d' ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	}

	/**
	 * An error as one line for the health display.
	 *
	 * @param WP_Error $error Error.
	 * @return string
	 */
	private static function describe( WP_Error $error ) {
		return $error->get_error_code() . ': ' . $error->get_error_message();
	}
}
