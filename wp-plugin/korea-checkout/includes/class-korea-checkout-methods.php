<?php
/**
 * The Korean payment methods the hosted page offers.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Method ids are the API's paymentMethod values.
 */
final class Korea_Checkout_Methods {

	/**
	 * Method id => translated name.
	 *
	 * @return array<string, string>
	 */
	public static function all() {
		return array(
			'card'            => __( 'Credit card (installments)', 'korea-checkout' ),
			'virtual_account' => __( 'Virtual account', 'korea-checkout' ),
			'transfer'        => __( 'Real-time bank transfer', 'korea-checkout' ),
			'kakao_pay'       => __( 'KakaoPay', 'korea-checkout' ),
			'naver_pay'       => __( 'NaverPay', 'korea-checkout' ),
			'toss_pay'        => __( 'TossPay', 'korea-checkout' ),
			'samsung_pay'     => __( 'Samsung Pay', 'korea-checkout' ),
		);
	}

	/**
	 * The enabled methods as id => name.
	 *
	 * @return array<string, string>
	 */
	public static function enabled() {
		$all = self::all();
		$out = array();
		foreach ( Korea_Checkout_Settings::methods() as $id ) {
			$out[ $id ] = $all[ $id ];
		}
		return $out;
	}

	/**
	 * The method's name, or the id for an unknown one.
	 *
	 * @param string $id Method id.
	 * @return string
	 */
	public static function name( $id ) {
		$all = self::all();
		return isset( $all[ $id ] ) ? $all[ $id ] : (string) $id;
	}
}
