<?php
/**
 * Boots the plugin once WooCommerce is known to be there.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Wires the plugin's parts together (the only place that does).
 */
final class Korea_Checkout_Plugin {

	/**
	 * Called on plugins_loaded: every plugin file is loaded by then, WooCommerce included.
	 */
	public static function boot() {
		add_action( 'init', array( __CLASS__, 'load_textdomain' ) );
		if ( ! class_exists( 'WooCommerce' ) || ! class_exists( 'WC_Payment_Gateway' ) ) {
			add_action( 'admin_notices', array( __CLASS__, 'woocommerce_missing_notice' ) );
			return;
		}
		foreach ( array( 'settings', 'logger', 'api', 'methods', 'fields', 'styles', 'payments', 'gateway', 'returns', 'virtual-account', 'refund-account', 'address', 'admin', 'order-box' ) as $part ) {
			require_once KOREA_CHECKOUT_DIR . 'includes/class-korea-checkout-' . $part . '.php';
		}
		add_filter( 'woocommerce_payment_gateways', array( __CLASS__, 'add_gateway' ) );
		// Hooked here, not in the gateway: WooCommerce may build the gateway only after the refund exists.
		add_action( 'woocommerce_create_refund', array( 'Korea_Checkout_Gateway', 'remember_refund' ) );
		add_action( 'woocommerce_blocks_loaded', array( __CLASS__, 'register_blocks' ) );
		Korea_Checkout_Fields::init();
		Korea_Checkout_Styles::init();
		Korea_Checkout_Payments::init();
		Korea_Checkout_Returns::init();
		Korea_Checkout_Virtual_Account::init();
		Korea_Checkout_Address::init();
		Korea_Checkout_Refund_Account::init();
		Korea_Checkout_Order_Box::init();
		if ( is_admin() ) {
			Korea_Checkout_Admin::init();
		}
	}

	/**
	 * Translations load on init, as WordPress 6.7+ requires (the bundled ko_KR included).
	 */
	public static function load_textdomain() {
		load_plugin_textdomain( 'korea-checkout', false, dirname( plugin_basename( KOREA_CHECKOUT_FILE ) ) . '/languages' );
	}

	/**
	 * Adds the gateway to WooCommerce's list.
	 *
	 * @param string[] $gateways Gateway class names.
	 * @return string[]
	 */
	public static function add_gateway( $gateways ) {
		$gateways[] = 'Korea_Checkout_Gateway';
		return $gateways;
	}

	/**
	 * Registers the payment method with the Cart and Checkout blocks.
	 */
	public static function register_blocks() {
		if ( ! class_exists( \Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType::class ) ) {
			return;
		}
		require_once KOREA_CHECKOUT_DIR . 'includes/class-korea-checkout-blocks.php';
		add_action(
			'woocommerce_blocks_payment_method_type_registration',
			static function ( $registry ) {
				$registry->register( new Korea_Checkout_Blocks() );
			}
		);
	}

	/**
	 * The notice shown instead of the plugin when WooCommerce is not active.
	 */
	public static function woocommerce_missing_notice() {
		if ( ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		echo '<div class="notice notice-error"><p>' . esc_html__( 'Korea Checkout needs WooCommerce: install and activate WooCommerce to take Korean payments.', 'korea-checkout' ) . '</p></div>';
	}
}
