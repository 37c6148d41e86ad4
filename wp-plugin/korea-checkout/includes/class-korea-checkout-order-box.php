<?php
/**
 * The order screen's "Korea Checkout" box: the payment and the bridge's sync timeline.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Meta box on the order edit screen (HPOS and legacy screens alike).
 */
final class Korea_Checkout_Order_Box {

	/**
	 * Hooks the meta box and the health record of the bridge's pushes.
	 */
	public static function init() {
		add_action( 'add_meta_boxes', array( __CLASS__, 'register' ) );
		add_action( 'woocommerce_rest_insert_shop_order_object', array( __CLASS__, 'note_bridge_update' ), 10, 2 );
	}

	/**
	 * Registers the box on the screen WooCommerce uses for orders.
	 */
	public static function register() {
		$screen = function_exists( 'wc_get_page_screen_id' ) ? wc_get_page_screen_id( 'shop-order' ) : 'shop_order';
		add_meta_box( 'korea-checkout-payment', __( 'Korea Checkout', 'korea-checkout' ), array( __CLASS__, 'render' ), $screen, 'side', 'default' );
	}

	/**
	 * Remembers when the bridge last wrote an order (the settings page's health line).
	 *
	 * @param WC_Order        $order   The order.
	 * @param WP_REST_Request $request The REST request.
	 */
	public static function note_bridge_update( $order, $request ) {
		$meta = $request->get_param( 'meta_data' );
		if ( ! is_array( $meta ) ) {
			return;
		}
		foreach ( $meta as $item ) {
			if ( is_array( $item ) && isset( $item['key'] ) && 0 === strpos( (string) $item['key'], '_korea_checkout_' ) ) {
				/* translators: 1: order number, 2: time (UTC) */
				Korea_Checkout_Admin::record( array( 'last_update_at' => sprintf( __( 'Order #%1$s at %2$s', 'korea-checkout' ), $order->get_order_number(), gmdate( 'Y-m-d H:i:s' ) . ' UTC' ) ) );
				return;
			}
		}
	}

	/**
	 * Renders the box.
	 *
	 * @param WP_Post|WC_Order $post_or_order The order (HPOS) or its post.
	 */
	public static function render( $post_or_order ) {
		$order = $post_or_order instanceof WC_Order ? $post_or_order : wc_get_order( $post_or_order->ID );
		if ( ! $order || Korea_Checkout_Payments::GATEWAY_ID !== $order->get_payment_method() ) {
			echo '<p>' . esc_html__( 'Not paid through Korea Checkout.', 'korea-checkout' ) . '</p>';
			return;
		}
		$rows    = array(
			__( 'Method', 'korea-checkout' )         => Korea_Checkout_Methods::name( (string) ( $order->get_meta( '_korea_checkout_payment_method' ) ? $order->get_meta( '_korea_checkout_payment_method' ) : $order->get_meta( '_korea_checkout_requested_method' ) ) ),
			__( 'Gateway', 'korea-checkout' )        => (string) $order->get_meta( '_korea_checkout_gateway' ),
			__( 'Transaction', 'korea-checkout' )    => (string) $order->get_transaction_id(),
			__( 'Session', 'korea-checkout' )        => (string) $order->get_meta( '_korea_checkout_session_id' ),
			__( 'Installments', 'korea-checkout' )   => (string) $order->get_meta( '_korea_checkout_installment_months' ),
		);
		$account = $order->get_meta( '_korea_checkout_virtual_account' );
		if ( is_array( $account ) ) {
			$rows[ __( 'Virtual account', 'korea-checkout' ) ] = trim( ( isset( $account['bank'] ) ? $account['bank'] : '' ) . ' ' . ( isset( $account['accountNumber'] ) ? $account['accountNumber'] : '' ) );
		}
		echo '<table class="korea-checkout-payment widefat striped" style="table-layout:fixed;word-break:break-all"><tbody>';
		foreach ( $rows as $label => $value ) {
			if ( '' !== $value ) {
				printf( '<tr><th>%1$s</th><td>%2$s</td></tr>', esc_html( $label ), esc_html( $value ) );
			}
		}
		echo '</tbody></table>';
		if ( 'virtual_account' === $order->get_meta( '_korea_checkout_payment_method' ) ) {
			Korea_Checkout_Refund_Account::render( $order );
		}
		self::render_timeline( $order );
	}

	/**
	 * The bridge's timeline for the order (events received, syncs attempted).
	 *
	 * @param WC_Order $order The order.
	 */
	private static function render_timeline( WC_Order $order ) {
		if ( '' === (string) $order->get_meta( '_korea_checkout_session_id' ) ) {
			return;
		}
		$answer = ( new Korea_Checkout_Api() )->timeline( $order->get_id() );
		echo '<h4>' . esc_html__( 'Sync timeline', 'korea-checkout' ) . '</h4>';
		if ( is_wp_error( $answer ) ) {
			echo '<p>' . esc_html( $answer->get_error_message() ) . '</p>';
			return;
		}
		$rows = isset( $answer['data'] ) && is_array( $answer['data'] ) ? array_slice( $answer['data'], -15 ) : array();
		echo '<ol class="korea-checkout-timeline">';
		foreach ( $rows as $row ) {
			$parts = array();
			foreach ( array( 'at', 'event', 'action', 'outcome', 'httpStatus', 'message' ) as $field ) {
				if ( isset( $row[ $field ] ) && is_scalar( $row[ $field ] ) && '' !== (string) $row[ $field ] ) {
					$parts[] = (string) $row[ $field ];
				}
			}
			echo '<li>' . esc_html( implode( ' · ', $parts ) ) . '</li>';
		}
		echo '</ol>';
	}
}
