<?php
/**
 * The shopper's return from the hosted page: the bridge is asked what happened, the query
 * string is never believed.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Handles /?wc-api=korea_checkout_return&order_id=N&key=wc_order_...
 */
final class Korea_Checkout_Returns {

	const API = 'korea_checkout_return';

	/**
	 * Hooks the WooCommerce API endpoint.
	 */
	public static function init() {
		add_action( 'woocommerce_api_' . self::API, array( __CLASS__, 'handle' ) );
	}

	/**
	 * Where the hosted page sends the shopper back: identified by the order key.
	 *
	 * @param WC_Order $order     The order.
	 * @param bool     $cancelled Whether this is the cancel URL.
	 * @return string
	 */
	public static function return_url( WC_Order $order, $cancelled = false ) {
		$args = array(
			'wc-api'   => self::API,
			'order_id' => $order->get_id(),
			'key'      => $order->get_order_key(),
		);
		if ( $cancelled ) {
			$args['cancelled'] = '1';
		}
		return add_query_arg( $args, home_url( '/' ) );
	}

	/**
	 * The return check.
	 */
	public static function handle() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- the order key authorises the visit; the bridge decides the outcome.
		$order_id = isset( $_GET['order_id'] ) ? absint( $_GET['order_id'] ) : 0;
		$key      = isset( $_GET['key'] ) ? sanitize_text_field( wp_unslash( $_GET['key'] ) ) : '';
		$cancel   = isset( $_GET['cancelled'] );
		// phpcs:enable
		$order = $order_id ? wc_get_order( $order_id ) : false;
		if ( ! $order || '' === $key || ! hash_equals( $order->get_order_key(), $key ) || Korea_Checkout_Payments::GATEWAY_ID !== $order->get_payment_method() ) {
			wp_safe_redirect( wc_get_page_permalink( 'shop' ) );
			exit;
		}
		wp_safe_redirect( self::outcome_url( $order, $cancel ) );
		exit;
	}

	/**
	 * Decides where the shopper goes from the bridge's verified status.
	 *
	 * @param WC_Order $order  The order.
	 * @param bool     $cancel The shopper came back through the cancel URL.
	 * @return string
	 */
	private static function outcome_url( WC_Order $order, $cancel ) {
		$received = $order->get_checkout_order_received_url();
		if ( $order->is_paid() ) {
			self::empty_cart();
			return $received;
		}
		$status = ( new Korea_Checkout_Api() )->order_status( $order->get_id() );
		if ( is_wp_error( $status ) ) {
			wc_add_notice( __( 'We could not confirm your payment yet. If you paid, your order will update shortly.', 'korea-checkout' ), 'notice' );
			return $received;
		}
		if ( Korea_Checkout_Payments::apply_verified_status( $order, $status ) ) {
			self::empty_cart();
			return $received;
		}
		$session_status = isset( $status['status'] ) ? (string) $status['status'] : '';
		if ( ! empty( $status['virtualAccount'] ) && in_array( $session_status, array( 'pending', 'processing' ), true ) ) {
			Korea_Checkout_Payments::store_payment_meta( $order, $status );
			if ( ! $order->has_status( 'on-hold' ) ) {
				$order->update_status( 'on-hold', __( 'Korea Checkout: waiting for the virtual account deposit.', 'korea-checkout' ) );
			} else {
				$order->save();
			}
			self::empty_cart();
			return $received;
		}
		if ( $cancel || in_array( $session_status, array( 'cancelled', 'failed', 'expired' ), true ) ) {
			wc_add_notice( __( 'The payment was cancelled. You can choose a payment method and try again.', 'korea-checkout' ), 'notice' );
			return wc_get_checkout_url();
		}
		return $received;
	}

	/**
	 * Empties the shopper's cart once the order is paid or awaiting a deposit.
	 */
	private static function empty_cart() {
		if ( function_exists( 'WC' ) && WC()->cart ) {
			WC()->cart->empty_cart();
		}
	}
}
