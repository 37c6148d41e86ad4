<?php
/**
 * Virtual-account refunds go to a bank account the customer names: the order screen asks for
 * it, process_refund() sends it.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * The refund account fields in the order box and their storage (order meta, CRUD).
 */
final class Korea_Checkout_Refund_Account {

	const META  = '_korea_checkout_refund_account';
	const NONCE = 'korea_checkout_refund_account';

	/**
	 * Hooks the order save (the HPOS and the legacy order screens both fire it).
	 */
	public static function init() {
		add_action( 'woocommerce_process_shop_order_meta', array( __CLASS__, 'save' ) );
	}

	/**
	 * Korean bank codes (금융결제원) the refund can go to.
	 *
	 * @return array<string, string>
	 */
	public static function banks() {
		return array(
			'004' => __( 'KB Kookmin Bank', 'korea-checkout' ),
			'088' => __( 'Shinhan Bank', 'korea-checkout' ),
			'020' => __( 'Woori Bank', 'korea-checkout' ),
			'081' => __( 'Hana Bank', 'korea-checkout' ),
			'011' => __( 'NongHyup Bank', 'korea-checkout' ),
			'003' => __( 'IBK Industrial Bank', 'korea-checkout' ),
			'090' => __( 'KakaoBank', 'korea-checkout' ),
			'092' => __( 'Toss Bank', 'korea-checkout' ),
			'089' => __( 'K Bank', 'korea-checkout' ),
			'023' => __( 'SC First Bank', 'korea-checkout' ),
			'071' => __( 'Korea Post', 'korea-checkout' ),
			'045' => __( 'Saemaul Geumgo', 'korea-checkout' ),
			'048' => __( 'Shinhyup', 'korea-checkout' ),
			'031' => __( 'iM Bank (Daegu)', 'korea-checkout' ),
			'032' => __( 'Busan Bank', 'korea-checkout' ),
			'039' => __( 'Kyongnam Bank', 'korea-checkout' ),
			'034' => __( 'Gwangju Bank', 'korea-checkout' ),
			'037' => __( 'Jeonbuk Bank', 'korea-checkout' ),
			'035' => __( 'Jeju Bank', 'korea-checkout' ),
		);
	}

	/**
	 * The stored account as the API's refundAccount, or null.
	 *
	 * @param WC_Order $order The order.
	 * @return array<string, string>|null
	 */
	public static function for_api( WC_Order $order ) {
		$account = $order->get_meta( self::META );
		if ( ! is_array( $account ) || empty( $account['bankCode'] ) || empty( $account['accountNumber'] ) || empty( $account['holderName'] ) ) {
			return null;
		}
		return array(
			'bankCode'      => (string) $account['bankCode'],
			'accountNumber' => (string) $account['accountNumber'],
			'holderName'    => (string) $account['holderName'],
		);
	}

	/**
	 * The fields, inside the order box of a virtual-account order.
	 *
	 * @param WC_Order $order The order.
	 */
	public static function render( WC_Order $order ) {
		$account = (array) $order->get_meta( self::META );
		$code    = isset( $account['bankCode'] ) ? (string) $account['bankCode'] : '';
		wp_nonce_field( self::NONCE, 'korea_checkout_refund_account_nonce' );
		echo '<h4>' . esc_html__( 'Refund account (virtual account refunds)', 'korea-checkout' ) . '</h4>';
		echo '<p><label for="korea-checkout-refund-bank">' . esc_html__( 'Bank', 'korea-checkout' ) . '</label><br /><select id="korea-checkout-refund-bank" name="korea_checkout_refund_bank"><option value="">—</option>';
		foreach ( self::banks() as $value => $name ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $code, $value, false ), esc_html( $name ) );
		}
		echo '</select></p>';
		printf(
			'<p><label for="korea-checkout-refund-number">%1$s</label><br /><input type="text" id="korea-checkout-refund-number" name="korea_checkout_refund_number" value="%2$s" inputmode="numeric" /></p>',
			esc_html__( 'Account number', 'korea-checkout' ),
			esc_attr( isset( $account['accountNumber'] ) ? (string) $account['accountNumber'] : '' )
		);
		printf(
			'<p><label for="korea-checkout-refund-holder">%1$s</label><br /><input type="text" id="korea-checkout-refund-holder" name="korea_checkout_refund_holder" value="%2$s" /></p>',
			esc_html__( 'Account holder', 'korea-checkout' ),
			esc_attr( isset( $account['holderName'] ) ? (string) $account['holderName'] : '' )
		);
	}

	/**
	 * Saves the fields with the order (nonce and capability checked).
	 *
	 * @param int $order_id Order id.
	 */
	public static function save( $order_id ) {
		if ( ! isset( $_POST['korea_checkout_refund_account_nonce'] ) || ! wp_verify_nonce( sanitize_key( wp_unslash( $_POST['korea_checkout_refund_account_nonce'] ) ), self::NONCE ) ) {
			return;
		}
		if ( ! current_user_can( 'edit_shop_orders' ) ) {
			return;
		}
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return;
		}
		$bank   = isset( $_POST['korea_checkout_refund_bank'] ) ? sanitize_text_field( wp_unslash( $_POST['korea_checkout_refund_bank'] ) ) : '';
		$number = isset( $_POST['korea_checkout_refund_number'] ) ? preg_replace( '/[^\d-]/', '', sanitize_text_field( wp_unslash( $_POST['korea_checkout_refund_number'] ) ) ) : '';
		$holder = isset( $_POST['korea_checkout_refund_holder'] ) ? sanitize_text_field( wp_unslash( $_POST['korea_checkout_refund_holder'] ) ) : '';
		if ( '' === $bank && '' === $number && '' === $holder ) {
			return;
		}
		$order->update_meta_data(
			self::META,
			array(
				'bankCode'      => isset( self::banks()[ $bank ] ) ? $bank : '',
				'accountNumber' => $number,
				'holderName'    => $holder,
			)
		);
		$order->save();
	}
}
