<?php
/**
 * The payment method in the Cart and Checkout blocks.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

use Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType;

/**
 * Server half of the Blocks integration; assets/js/blocks.js is the browser half.
 */
final class Korea_Checkout_Blocks extends AbstractPaymentMethodType {

	/**
	 * Payment method name: the gateway id.
	 *
	 * @var string
	 */
	protected $name = 'korea_checkout';

	/**
	 * Reads the gateway's settings.
	 */
	public function initialize() {
		$this->settings = get_option( 'woocommerce_korea_checkout_settings', array() );
	}

	/**
	 * Active exactly when the classic gateway is available.
	 *
	 * @return bool
	 */
	public function is_active() {
		$gateways = WC()->payment_gateways() ? WC()->payment_gateways()->payment_gateways() : array();
		return isset( $gateways['korea_checkout'] ) && 'yes' === $gateways['korea_checkout']->enabled && '' !== (string) Korea_Checkout_Settings::get( 'api_key' );
	}

	/**
	 * The plain script (no build step) using the wc and wp globals.
	 *
	 * @return string[]
	 */
	public function get_payment_method_script_handles() {
		wp_register_script(
			'korea-checkout-blocks',
			plugins_url( 'assets/js/blocks.js', KOREA_CHECKOUT_FILE ),
			array( 'wc-blocks-registry', 'wc-settings', 'wp-element', 'wp-html-entities', 'wp-i18n' ),
			KOREA_CHECKOUT_VERSION,
			true
		);
		wp_set_script_translations( 'korea-checkout-blocks', 'korea-checkout', KOREA_CHECKOUT_DIR . 'languages' );
		return array( 'korea-checkout-blocks' );
	}

	/**
	 * What the script gets through getSetting( 'korea_checkout_data' ).
	 *
	 * @return array<string, mixed>
	 */
	public function get_payment_method_data() {
		$methods = array();
		foreach ( Korea_Checkout_Methods::enabled() as $id => $name ) {
			$methods[] = array(
				'id'   => $id,
				'name' => $name,
			);
		}
		return array(
			'title'       => $this->get_setting( 'title', __( 'Korean payment methods', 'korea-checkout' ) ),
			'description' => $this->get_setting( 'description', '' ),
			'methods'     => $methods,
			'cssVars'     => Korea_Checkout_Styles::vars(),
			'supports'    => array( 'products' ),
		);
	}
}
