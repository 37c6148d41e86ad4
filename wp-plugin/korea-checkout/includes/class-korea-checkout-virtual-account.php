<?php
/**
 * The virtual account to pay into: on the thank-you page, in My Account and in the e-mails
 * of an order waiting for its deposit.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Shows the account Korea Checkout issued (order meta _korea_checkout_virtual_account).
 */
final class Korea_Checkout_Virtual_Account {

	/**
	 * Hooks the order details (thank-you page and My Account > Orders) and the e-mails.
	 */
	public static function init() {
		add_action( 'woocommerce_order_details_before_order_table', array( __CLASS__, 'show' ) );
		add_action( 'woocommerce_email_before_order_table', array( __CLASS__, 'email' ), 10, 3 );
	}

	/**
	 * The account of an order still waiting for its deposit, or null.
	 *
	 * @param WC_Order $order The order.
	 * @return array<string, mixed>|null
	 */
	public static function pending_account( $order ) {
		if ( ! $order instanceof WC_Order || Korea_Checkout_Payments::GATEWAY_ID !== $order->get_payment_method() || $order->is_paid() || ! $order->has_status( array( 'on-hold', 'pending' ) ) ) {
			return null;
		}
		$account = $order->get_meta( '_korea_checkout_virtual_account' );
		return is_array( $account ) && ! empty( $account['accountNumber'] ) ? $account : null;
	}

	/**
	 * The account as label => value, the due date in Korean time.
	 *
	 * @param array<string, mixed> $account Virtual account.
	 * @param WC_Order             $order   The order.
	 * @return array<string, string>
	 */
	public static function rows( array $account, WC_Order $order ) {
		$amount = isset( $account['amount'] ) ? (int) $account['amount'] : (int) round( (float) $order->get_total() );
		$due    = '';
		if ( ! empty( $account['dueDate'] ) ) {
			try {
				$date = new DateTimeImmutable( (string) $account['dueDate'] );
				$due  = $date->setTimezone( new DateTimeZone( 'Asia/Seoul' ) )->format( 'Y-m-d H:i' ) . ' (KST)';
			} catch ( Exception $e ) {
				$due = (string) $account['dueDate'];
			}
		}
		return array(
			__( 'Bank', 'korea-checkout' )           => isset( $account['bank'] ) ? (string) $account['bank'] : '',
			__( 'Account number', 'korea-checkout' ) => (string) $account['accountNumber'],
			__( 'Account holder', 'korea-checkout' ) => isset( $account['holder'] ) ? (string) $account['holder'] : '',
			__( 'Amount', 'korea-checkout' )         => number_format_i18n( $amount ) . __( ' won', 'korea-checkout' ),
			__( 'Pay by', 'korea-checkout' )         => $due,
		);
	}

	/**
	 * On the thank-you page and in My Account.
	 *
	 * @param WC_Order $order The order.
	 */
	public static function show( $order ) {
		$account = self::pending_account( $order );
		if ( null === $account ) {
			return;
		}
		echo '<section class="korea-checkout-virtual-account"><h2>' . esc_html__( 'Deposit to this virtual account', 'korea-checkout' ) . '</h2><table class="shop_table"><tbody>';
		foreach ( self::rows( $account, $order ) as $label => $value ) {
			printf( '<tr><th scope="row">%1$s</th><td>%2$s</td></tr>', esc_html( $label ), esc_html( $value ) );
		}
		echo '</tbody></table><p>' . esc_html__( 'Your order ships once the deposit arrives. An unpaid account expires at the time above and the order is cancelled.', 'korea-checkout' ) . '</p></section>';
	}

	/**
	 * In the customer's e-mails (HTML or plain text).
	 *
	 * @param WC_Order $order         The order.
	 * @param bool     $sent_to_admin Whether the mail goes to the shop.
	 * @param bool     $plain_text    Plain-text mail.
	 */
	public static function email( $order, $sent_to_admin, $plain_text ) {
		$account = self::pending_account( $order );
		if ( null === $account || $sent_to_admin ) {
			return;
		}
		if ( $plain_text ) {
			echo esc_html__( 'Deposit to this virtual account', 'korea-checkout' ) . "\n";
			foreach ( self::rows( $account, $order ) as $label => $value ) {
				echo esc_html( $label . ': ' . $value ) . "\n";
			}
			echo "\n";
			return;
		}
		self::show( $order );
	}
}
