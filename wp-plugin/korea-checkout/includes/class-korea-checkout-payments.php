<?php
/**
 * Marks orders paid from the bridge's verified answer and fires korea_checkout_payment_complete
 * exactly once per paid order, whichever path paid it (the bridge's push, a virtual-account
 * deposit, the return check).
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Payment outcome handling, shared by the return check and WooCommerce's own status hooks.
 */
final class Korea_Checkout_Payments {

	const GATEWAY_ID = 'korea_checkout';
	const FIRED_META = '_korea_checkout_completion_fired';
	const LOCK_SECONDS = 10;

	/**
	 * Hooks the paths by which an order becomes paid.
	 */
	public static function init() {
		add_action( 'woocommerce_payment_complete', array( __CLASS__, 'on_paid' ) );
		add_action( 'woocommerce_order_status_changed', array( __CLASS__, 'on_status_changed' ), 10, 3 );
	}

	/**
	 * WooCommerce marked the order paid (payment_complete, here or through the REST API).
	 *
	 * @param int $order_id Order id.
	 */
	public static function on_paid( $order_id ) {
		self::maybe_fire( (int) $order_id );
	}

	/**
	 * An order moved into a paid status without payment_complete (e.g. on-hold to processing
	 * after a virtual-account deposit).
	 *
	 * @param int    $order_id Order id.
	 * @param string $from     Old status.
	 * @param string $to       New status.
	 */
	public static function on_status_changed( $order_id, $from, $to ) {
		if ( in_array( $to, wc_get_is_paid_statuses(), true ) ) {
			self::maybe_fire( (int) $order_id );
		}
	}

	/**
	 * Applies the bridge's verified answer: paid orders are marked paid, once.
	 *
	 * @param WC_Order             $order  The order.
	 * @param array<string, mixed> $status GET /bridge/v1/orders/{id} answer.
	 * @return bool Whether the order is paid now.
	 */
	public static function apply_verified_status( WC_Order $order, array $status ) {
		if ( empty( $status['paid'] ) ) {
			return false;
		}
		$paid_total = isset( $status['totalAmount'] ) ? (int) $status['totalAmount'] : -1;
		if ( $paid_total !== (int) round( (float) $order->get_total() ) ) {
			// Paid for another amount than the order's total: never mark it paid.
			$order->update_status( 'on-hold', __( 'Korea Checkout: the amount paid differs from the order total; check the payment before shipping.', 'korea-checkout' ) );
			return false;
		}
		$lock = self::lock( $order->get_id() );
		try {
			$fresh = wc_get_order( $order->get_id() );
			if ( ! $fresh ) {
				return false;
			}
			self::store_payment_meta( $fresh, $status );
			if ( ! $fresh->is_paid() ) {
				$transaction = isset( $status['gatewayTransactionId'] ) ? (string) $status['gatewayTransactionId'] : '';
				if ( $fresh->has_status( array( 'pending', 'failed' ) ) ) {
					$fresh->payment_complete( $transaction );
				} else {
					$fresh->set_transaction_id( $transaction );
					$fresh->set_date_paid( time() );
					$fresh->update_status( $fresh->needs_processing() ? 'processing' : 'completed', __( 'Korea Checkout: payment confirmed.', 'korea-checkout' ) );
				}
			} else {
				$fresh->save();
			}
		} finally {
			self::unlock( $lock );
		}
		self::maybe_fire( $order->get_id() );
		return true;
	}

	/**
	 * Copies the bridge's payment facts into order meta (the same keys the bridge writes).
	 *
	 * @param WC_Order             $order  The order.
	 * @param array<string, mixed> $status Bridge answer.
	 */
	public static function store_payment_meta( WC_Order $order, array $status ) {
		$map = array(
			'sessionId'            => '_korea_checkout_session_id',
			'paymentMethod'        => '_korea_checkout_payment_method',
			'gateway'              => '_korea_checkout_gateway',
			'gatewayTransactionId' => '_korea_checkout_transaction_id',
			'installmentMonths'    => '_korea_checkout_installment_months',
			'virtualAccount'       => '_korea_checkout_virtual_account',
		);
		foreach ( $map as $field => $meta ) {
			if ( isset( $status[ $field ] ) && '' !== $status[ $field ] ) {
				$order->update_meta_data( $meta, $status[ $field ] );
			}
		}
	}

	/**
	 * What korea_checkout_payment_complete receives as $payment_data (see readme.txt).
	 *
	 * @param WC_Order $order The paid order.
	 * @return array<string, mixed>
	 */
	public static function payment_data( WC_Order $order ) {
		$installments = $order->get_meta( '_korea_checkout_installment_months' );
		$account      = $order->get_meta( '_korea_checkout_virtual_account' );
		return array(
			'session_id'         => (string) $order->get_meta( '_korea_checkout_session_id' ),
			'transaction_id'     => (string) $order->get_transaction_id(),
			'payment_method'     => (string) $order->get_meta( '_korea_checkout_payment_method' ),
			'gateway'            => (string) $order->get_meta( '_korea_checkout_gateway' ),
			'installment_months' => '' === $installments ? null : (int) $installments,
			'amount'             => (int) round( (float) $order->get_total() ),
			'currency'           => $order->get_currency(),
			'virtual_account'    => is_array( $account ) ? $account : null,
			'mode'               => Korea_Checkout_Settings::mode(),
		);
	}

	/**
	 * Fires korea_checkout_payment_complete if this paid order has not had it yet. The claim
	 * is made under a database lock on a freshly read order, so concurrent paths (the
	 * bridge's REST push and the shopper's return) cannot both win.
	 *
	 * @param int $order_id Order id.
	 */
	public static function maybe_fire( $order_id ) {
		$order = wc_get_order( $order_id );
		if ( ! $order || self::GATEWAY_ID !== $order->get_payment_method() || ! $order->is_paid() ) {
			return;
		}
		$lock = self::lock( $order_id );
		if ( null === $lock ) {
			return; // Another request holds the order and fires the action if it is due.
		}
		try {
			$order = wc_get_order( $order_id );
			$order->read_meta_data( true );
			if ( '' !== (string) $order->get_meta( self::FIRED_META ) ) {
				return;
			}
			$order->update_meta_data( self::FIRED_META, gmdate( 'c' ) );
			$order->save();
		} finally {
			self::unlock( $lock );
		}
		self::apply_status_mapping( $order );
		Korea_Checkout_Logger::log( 'info', 'payment complete', array( 'order_id' => $order_id ) );
		do_action( 'korea_checkout_payment_complete', $order_id, self::payment_data( $order ) );
	}

	/**
	 * The store owner's mapping ("automatic" keeps WooCommerce's choice).
	 *
	 * @param WC_Order $order The paid order.
	 */
	private static function apply_status_mapping( WC_Order $order ) {
		$target = (string) Korea_Checkout_Settings::get( 'status_mapping' );
		if ( in_array( $target, array( 'processing', 'completed' ), true ) && ! $order->has_status( $target ) && $order->has_status( array( 'processing', 'completed' ) ) ) {
			$order->update_status( $target, __( 'Korea Checkout: order status set by the status mapping.', 'korea-checkout' ) );
		}
	}

	/**
	 * A MariaDB/MySQL named lock per order, shared by every PHP worker.
	 *
	 * @param int $order_id Order id.
	 * @return string|null The lock name when taken.
	 */
	private static function lock( $order_id ) {
		global $wpdb;
		$name = $wpdb->prefix . 'korea_checkout_order_' . (int) $order_id;
		$got  = $wpdb->get_var( $wpdb->prepare( 'SELECT GET_LOCK(%s, %d)', $name, self::LOCK_SECONDS ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		return '1' === (string) $got ? $name : null;
	}

	/**
	 * Releases a lock taken by lock().
	 *
	 * @param string|null $name Lock name.
	 */
	private static function unlock( $name ) {
		global $wpdb;
		if ( null !== $name ) {
			$wpdb->query( $wpdb->prepare( 'SELECT RELEASE_LOCK(%s)', $name ) ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		}
	}
}
