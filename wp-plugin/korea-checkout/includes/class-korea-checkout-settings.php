<?php
/**
 * The plugin's settings, read in one place.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Settings stored in the korea_checkout_settings option.
 */
final class Korea_Checkout_Settings {

	const OPTION = 'korea_checkout_settings';

	/**
	 * Order status mapping choices; "automatic" lets WooCommerce choose (processing, or
	 * completed for orders with nothing to ship).
	 */
	const STATUS_MAPPINGS = array( 'automatic', 'processing', 'completed' );

	/**
	 * All settings with their defaults.
	 *
	 * @return array<string, mixed>
	 */
	public static function all() {
		$stored = get_option( self::OPTION, array() );
		return wp_parse_args(
			is_array( $stored ) ? $stored : array(),
			array(
				'api_url'        => 'https://api.koreacheckout.com',
				'api_key'        => '',
				'status_mapping' => 'automatic',
				'methods'        => array_keys( Korea_Checkout_Methods::all() ),
				'debug'          => 'no',
			)
		);
	}

	/**
	 * One setting.
	 *
	 * @param string $name Setting name.
	 * @return mixed
	 */
	public static function get( $name ) {
		$all = self::all();
		return isset( $all[ $name ] ) ? $all[ $name ] : null;
	}

	/**
	 * Saves settings and forgets what was cached from the old ones.
	 *
	 * @param array<string, mixed> $values New values.
	 */
	public static function save( array $values ) {
		update_option( self::OPTION, array_merge( self::all(), $values ), false );
		delete_transient( 'korea_checkout_connection_state' );
	}

	/**
	 * The API base URL without a trailing slash.
	 *
	 * @return string
	 */
	public static function api_url() {
		return untrailingslashit( (string) self::get( 'api_url' ) );
	}

	/**
	 * "sandbox", "live" or "" from the key's prefix (sk_test_ / sk_live_).
	 *
	 * @param string|null $key API key; the stored one when null.
	 * @return string
	 */
	public static function mode( $key = null ) {
		$key = null === $key ? (string) self::get( 'api_key' ) : $key;
		if ( 0 === strpos( $key, 'sk_test_' ) ) {
			return 'sandbox';
		}
		if ( 0 === strpos( $key, 'sk_live_' ) ) {
			return 'live';
		}
		return '';
	}

	/**
	 * The key as it may be shown: prefix and last four characters.
	 *
	 * @param string $key API key.
	 * @return string
	 */
	public static function mask_key( $key ) {
		$key = (string) $key;
		if ( strlen( $key ) < 16 ) {
			return '' === $key ? '' : '••••';
		}
		return substr( $key, 0, 8 ) . '…' . substr( $key, -4 );
	}

	/**
	 * Method ids the store offers, in the canonical order.
	 *
	 * @return string[]
	 */
	public static function methods() {
		$chosen = (array) self::get( 'methods' );
		return array_values( array_intersect( array_keys( Korea_Checkout_Methods::all() ), $chosen ) );
	}
}
