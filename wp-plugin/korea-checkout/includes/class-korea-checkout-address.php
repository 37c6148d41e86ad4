<?php
/**
 * Korean addresses: the Kakao (Daum) Postcode search on the checkout, the Korean field order
 * (postcode, road address, detail address) for both checkouts through the country locale,
 * and 5-digit postcode and Korean phone validation.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Address search and validation for orders shipped to or billed in Korea.
 */
final class Korea_Checkout_Address {

	/**
	 * The current Postcode service script (Kakao keeps this URL stable across versions).
	 */
	const POSTCODE_SCRIPT = 'https://t1.daumcdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js';

	/**
	 * Hooks the locale, the script and the validation of both checkouts.
	 */
	public static function init() {
		add_filter( 'woocommerce_get_country_locale', array( __CLASS__, 'country_locale' ) );
		add_action( 'wp_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_action( 'woocommerce_after_checkout_validation', array( __CLASS__, 'validate_classic' ), 10, 2 );
		add_action( 'woocommerce_store_api_checkout_update_order_from_request', array( __CLASS__, 'validate_store_api' ) );
	}

	/**
	 * Korean field order and labels: postcode first (with the search), then the road
	 * address, then the detail address the shopper types. 45-47 sit after the country
	 * (40) of the classic form and before the address (40, as "index") of the block.
	 *
	 * @param array<string, array<string, mixed>> $locale Locales by country.
	 * @return array<string, array<string, mixed>>
	 */
	public static function country_locale( $locale ) {
		$kr             = isset( $locale['KR'] ) ? $locale['KR'] : array();
		$locale['KR']   = array_replace_recursive(
			$kr,
			array(
				'postcode'  => array(
					'priority' => 45,
					'required' => true,
					'label'    => __( 'Postcode', 'korea-checkout' ),
				),
				'address_1' => array(
					'priority'    => 46,
					'label'       => __( 'Address', 'korea-checkout' ),
					'placeholder' => __( 'Road name address', 'korea-checkout' ),
				),
				'address_2' => array(
					'priority'    => 47,
					'label'       => __( 'Detail address', 'korea-checkout' ),
					'label_class' => array(),
					'placeholder' => __( 'Apartment, floor, unit', 'korea-checkout' ),
				),
				'city'      => array( 'label' => __( 'City / District', 'korea-checkout' ) ),
			)
		);
		return $locale;
	}

	/**
	 * The search script on the checkout page (classic form and Checkout block alike).
	 */
	public static function enqueue() {
		if ( ! function_exists( 'is_checkout' ) || ! is_checkout() || is_order_received_page() ) {
			return;
		}
		wp_enqueue_script( 'korea-checkout-address', plugins_url( 'assets/js/address.js', KOREA_CHECKOUT_FILE ), array(), KOREA_CHECKOUT_VERSION, true );
		wp_localize_script(
			'korea-checkout-address',
			'koreaCheckoutAddress',
			array(
				'script'      => self::POSTCODE_SCRIPT,
				'search'      => __( 'Search address', 'korea-checkout' ),
				'unavailable' => __( 'Address search is unavailable right now. Please type your address.', 'korea-checkout' ),
			)
		);
	}

	/**
	 * The classic checkout's check.
	 *
	 * @param array<string, mixed> $data   Posted data.
	 * @param WP_Error             $errors Errors to add to.
	 */
	public static function validate_classic( $data, $errors ) {
		foreach ( self::problems( $data ) as $code => $message ) {
			$errors->add( $code, $message );
		}
	}

	/**
	 * The Store API's (Checkout block) check.
	 *
	 * @param WC_Order $order The order being placed.
	 * @throws \Automattic\WooCommerce\StoreApi\Exceptions\RouteException When an address is invalid.
	 */
	public static function validate_store_api( $order ) {
		$data = array(
			'billing_country'  => $order->get_billing_country(),
			'billing_postcode' => $order->get_billing_postcode(),
			'billing_phone'    => $order->get_billing_phone(),
		);
		if ( $order->needs_shipping_address() ) {
			$data['ship_to_different_address'] = true;
			$data['shipping_country']          = $order->get_shipping_country();
			$data['shipping_postcode']         = $order->get_shipping_postcode();
			$data['shipping_phone']            = $order->get_shipping_phone();
		}
		foreach ( self::problems( $data ) as $code => $message ) {
			throw new \Automattic\WooCommerce\StoreApi\Exceptions\RouteException( esc_html( $code ), esc_html( $message ), 400 );
		}
	}

	/**
	 * What is wrong with the Korean parts of an address, by error code.
	 *
	 * @param array<string, mixed> $data Field values (billing_*, shipping_*).
	 * @return array<string, string>
	 */
	public static function problems( array $data ) {
		$problems = array();
		$groups   = array( 'billing' );
		if ( ! empty( $data['ship_to_different_address'] ) ) {
			$groups[] = 'shipping';
		}
		foreach ( $groups as $group ) {
			if ( 'KR' !== ( isset( $data[ $group . '_country' ] ) ? $data[ $group . '_country' ] : '' ) ) {
				continue;
			}
			$postcode = isset( $data[ $group . '_postcode' ] ) ? trim( (string) $data[ $group . '_postcode' ] ) : '';
			if ( '' !== $postcode && ! self::is_postcode( $postcode ) ) {
				$problems[ $group . '_postcode_invalid' ] = __( 'Enter the 5-digit Korean postcode (search the address to fill it in).', 'korea-checkout' );
			}
			$phone = isset( $data[ $group . '_phone' ] ) ? trim( (string) $data[ $group . '_phone' ] ) : '';
			if ( '' !== $phone && ! self::is_phone( $phone ) ) {
				$problems[ $group . '_phone_invalid' ] = __( 'Enter a Korean phone number, e.g. 010-1234-5678.', 'korea-checkout' );
			}
		}
		return $problems;
	}

	/**
	 * Korean postcodes have five digits since 2015.
	 *
	 * @param string $postcode Postcode.
	 * @return bool
	 */
	public static function is_postcode( $postcode ) {
		return 1 === preg_match( '/^\d{5}$/', $postcode );
	}

	/**
	 * Mobile (010…), area (02…, 031…) and nationwide (1588-…) numbers, with or without
	 * hyphens, or the same after +82.
	 *
	 * @param string $phone Phone number.
	 * @return bool
	 */
	public static function is_phone( $phone ) {
		$digits = preg_replace( '/[\s\-.()]/', '', $phone );
		if ( 0 === strpos( $digits, '+82' ) ) {
			$digits = '0' . ltrim( substr( $digits, 3 ), '0' );
		}
		return 1 === preg_match( '/^(01[016789]\d{7,8}|02\d{7,8}|0[3-6][1-5]\d{7,8}|070\d{8}|050\d{8,9}|1[568]\d{6})$/', $digits );
	}
}
