<?php
/**
 * korea_checkout_css_vars: CSS custom properties for the plugin's own elements (and sent
 * with the order so the hosted page can use them).
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Outputs the filtered variables on checkout pages.
 */
final class Korea_Checkout_Styles {

	/**
	 * Hooks the front-end styles.
	 */
	public static function init() {
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
	}

	/**
	 * The variables after the filter; only --names with plain CSS values survive.
	 *
	 * @return array<string, string>
	 */
	public static function vars() {
		$vars = apply_filters(
			'korea_checkout_css_vars',
			array(
				'--primary-color' => '#1a5cff',
				'--button-radius' => '6px',
			)
		);
		$clean = array();
		foreach ( (array) $vars as $name => $value ) {
			$name  = (string) $name;
			$value = trim( (string) $value );
			if ( preg_match( '/^--[a-z0-9-]+$/i', $name ) && preg_match( '/^[#a-z0-9 .,%()\'"-]+$/i', $value ) ) {
				$clean[ $name ] = $value;
			}
		}
		return $clean;
	}

	/**
	 * The plugin's stylesheet with the variables, on the checkout only.
	 */
	public static function enqueue() {
		if ( ! function_exists( 'is_checkout' ) || ! is_checkout() ) {
			return;
		}
		wp_enqueue_style( 'korea-checkout', plugins_url( 'assets/css/korea-checkout.css', KOREA_CHECKOUT_FILE ), array(), KOREA_CHECKOUT_VERSION );
		$rules = '';
		foreach ( self::vars() as $name => $value ) {
			$rules .= $name . ':' . $value . ';';
		}
		wp_add_inline_style( 'korea-checkout', '.korea-checkout-methods,.wc-block-components-radio-control-accordion-content .korea-checkout-methods{' . $rules . '}' );
	}
}
