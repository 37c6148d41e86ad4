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

	const COLOR  = '#[0-9a-f]{3,8}|rgba?\(\s*[\d.]+%?(\s*,\s*[\d.]+%?){2,3}\s*\)|[a-z]{3,20}';
	const LENGTH = '0|\d{1,3}(\.\d{1,2})?(px|rem|em|%)';
	const FONT   = '[\w\s,\'"-]{1,120}';

	/**
	 * The variables the hosted page knows, with the shape each value must have there (the
	 * service's theme rules): a value of another shape is dropped, so the shop's checkout and
	 * the hosted page agree and the default stays rather than an invalid CSS value.
	 */
	const SHAPES = array(
		'--primary-color'      => self::COLOR,
		'--primary-text-color' => self::COLOR,
		'--background-color'   => self::COLOR,
		'--surface-color'      => self::COLOR,
		'--text-color'         => self::COLOR,
		'--muted-color'        => self::COLOR,
		'--border-color'       => self::COLOR,
		'--button-radius'      => self::LENGTH,
		'--card-radius'        => self::LENGTH,
		'--font-family'        => self::FONT,
	);

	const DEFAULTS = array(
		'--primary-color' => '#1a5cff',
		'--button-radius' => '6px',
	);

	/**
	 * Hooks the front-end styles.
	 */
	public static function init() {
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
	}

	/**
	 * The variables after the filter; only --names with plain CSS values survive, and the
	 * hosted page's variables only with values of their shape (else the default, if any).
	 *
	 * @return array<string, string>
	 */
	public static function vars() {
		$vars  = apply_filters( 'korea_checkout_css_vars', self::DEFAULTS );
		$clean = array();
		foreach ( (array) $vars as $name => $value ) {
			$name  = (string) $name;
			$value = trim( (string) $value );
			if ( preg_match( '/^--[a-z0-9-]+$/i', $name ) && preg_match( '/^[#a-z0-9 .,%()\'"-]+$/i', $value ) && self::fits( $name, $value ) ) {
				$clean[ $name ] = $value;
			} elseif ( isset( self::DEFAULTS[ $name ] ) ) {
				$clean[ $name ] = self::DEFAULTS[ $name ];
			}
		}
		return $clean;
	}

	/**
	 * Whether a value has the shape its variable needs (any plain value for other names).
	 *
	 * @param string $name  The variable's name.
	 * @param string $value The trimmed value.
	 * @return bool
	 */
	private static function fits( $name, $value ) {
		if ( ! isset( self::SHAPES[ $name ] ) ) {
			return true;
		}
		return 1 === preg_match( '/^(?:' . self::SHAPES[ $name ] . ')$/i', $value );
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
