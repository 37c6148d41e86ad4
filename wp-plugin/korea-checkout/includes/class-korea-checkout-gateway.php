<?php
/**
 * The WooCommerce payment gateway: sends the order to the bridge and the shopper to the
 * hosted Korean checkout page.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Korea Checkout gateway (classic checkout; the Checkout block reuses process_payment).
 */
class Korea_Checkout_Gateway extends WC_Payment_Gateway {

	const ID = 'korea_checkout';

	/**
	 * The refund WooCommerce is creating right now (its id is what makes the bridge's refund
	 * idempotent).
	 *
	 * @var WC_Order_Refund|null
	 */
	private static $creating_refund = null;

	/**
	 * Sets up the gateway.
	 */
	public function __construct() {
		$this->id                 = self::ID;
		$this->has_fields         = true;
		$this->method_title       = __( 'Korea Checkout', 'korea-checkout' );
		$this->method_description = __( 'Korean cards with installments, virtual accounts, bank transfer, KakaoPay, NaverPay, TossPay and Samsung Pay through the Korea Checkout hosted page.', 'korea-checkout' );
		$this->supports           = array( 'products', 'refunds' );
		$this->init_form_fields();
		$this->init_settings();
		$this->title       = $this->get_option( 'title' );
		$this->description = $this->get_option( 'description' );
		add_action( 'woocommerce_update_options_payment_gateways_' . $this->id, array( $this, 'process_admin_options' ) );
	}

	/**
	 * Gateway-level fields; the API and connection live on WooCommerce > Korea Checkout.
	 */
	public function init_form_fields() {
		$this->form_fields = array(
			'enabled'     => array(
				'title'   => __( 'Enable/Disable', 'korea-checkout' ),
				'type'    => 'checkbox',
				'label'   => __( 'Enable Korea Checkout', 'korea-checkout' ),
				'default' => 'yes',
			),
			'title'       => array(
				'title'   => __( 'Title', 'korea-checkout' ),
				'type'    => 'text',
				'default' => __( 'Korean payment methods', 'korea-checkout' ),
			),
			'description' => array(
				'title'   => __( 'Description', 'korea-checkout' ),
				'type'    => 'textarea',
				'default' => __( 'Pay by card, virtual account, bank transfer or a Korean easy-pay app.', 'korea-checkout' ),
			),
		);
	}

	/**
	 * Offered only with an API key and at least one method.
	 *
	 * @return bool
	 */
	public function is_available() {
		return parent::is_available() && '' !== (string) Korea_Checkout_Settings::get( 'api_key' ) && array() !== Korea_Checkout_Methods::enabled();
	}

	/**
	 * The method choice under the gateway on the classic checkout.
	 */
	public function payment_fields() {
		if ( $this->description ) {
			echo wp_kses_post( wpautop( wptexturize( $this->description ) ) );
		}
		$methods = Korea_Checkout_Methods::enabled();
		$first   = true;
		echo '<fieldset class="korea-checkout-methods"><legend class="screen-reader-text">' . esc_html__( 'Payment method', 'korea-checkout' ) . '</legend>';
		foreach ( $methods as $id => $name ) {
			printf(
				'<label class="korea-checkout-method"><input type="radio" name="korea_checkout_method" value="%1$s"%2$s /> %3$s</label>',
				esc_attr( $id ),
				checked( $first, true, false ),
				esc_html( $name )
			);
			$first = false;
		}
		echo '</fieldset>';
	}

	/**
	 * The chosen method must be one the store offers.
	 *
	 * @return bool
	 */
	public function validate_fields() {
		if ( '' === self::chosen_method() ) {
			wc_add_notice( __( 'Choose a payment method.', 'korea-checkout' ), 'error' );
			return false;
		}
		return true;
	}

	/**
	 * Sends the order to the bridge and the shopper to the hosted page. A second click, a
	 * second tab or a retry gets the same open session from the bridge; a paid order is
	 * never sent to pay again.
	 *
	 * @param int $order_id Order id.
	 * @return array<string, string>
	 */
	public function process_payment( $order_id ) {
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return array( 'result' => 'failure' );
		}
		if ( $order->is_paid() ) {
			return array(
				'result'   => 'success',
				'redirect' => $this->get_return_url( $order ),
			);
		}
		$method = self::chosen_method();
		if ( '' !== $method ) {
			$order->update_meta_data( '_korea_checkout_requested_method', $method );
			$order->save();
		}
		$api    = new Korea_Checkout_Api();
		$answer = $api->create_order_session(
			array(
				'order'           => self::order_json( $order ),
				'returnUrl'       => Korea_Checkout_Returns::return_url( $order ),
				'cancelUrl'       => Korea_Checkout_Returns::return_url( $order, true ),
				'paymentMethod'   => $method,
				'cssVars'         => Korea_Checkout_Styles::vars(),
			)
		);
		if ( is_wp_error( $answer ) && 'order_already_paid' === $answer->get_error_code() ) {
			$status = $api->order_status( $order->get_id() );
			if ( ! is_wp_error( $status ) && Korea_Checkout_Payments::apply_verified_status( $order, $status ) ) {
				WC()->cart && WC()->cart->empty_cart();
				return array(
					'result'   => 'success',
					'redirect' => $this->get_return_url( $order ),
				);
			}
		}
		if ( is_wp_error( $answer ) || empty( $answer['checkoutUrl'] ) ) {
			// The order stays pending: the shopper can simply press the button again.
			wc_add_notice( self::error_notice( $answer ), 'error' );
			$order->add_order_note( __( 'Korea Checkout: the checkout session could not be created; the customer may retry.', 'korea-checkout' ) );
			return array( 'result' => 'failure' );
		}
		$order->update_meta_data( '_korea_checkout_session_id', (string) $answer['sessionId'] );
		$order->save();
		return array(
			'result'   => 'success',
			'redirect' => esc_url_raw( self::with_method( (string) $answer['checkoutUrl'], $method ) ),
		);
	}

	/**
	 * Refunds through the bridge, idempotent by the WooCommerce refund id.
	 *
	 * @param int        $order_id Order id.
	 * @param float|null $amount   Amount in won.
	 * @param string     $reason   Reason.
	 * @return bool|WP_Error
	 */
	public function process_refund( $order_id, $amount = null, $reason = '' ) {
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return new WP_Error( 'korea_checkout_refund', __( 'Order not found.', 'korea-checkout' ) );
		}
		$refund_id = self::refund_id( $order );
		if ( ! $refund_id ) {
			return new WP_Error( 'korea_checkout_refund', __( 'The WooCommerce refund could not be identified; try again.', 'korea-checkout' ) );
		}
		$body = array(
			'wcRefundId' => $refund_id,
			'reason'     => '' === (string) $reason ? __( 'Refund from the store', 'korea-checkout' ) : (string) $reason,
		);
		if ( null !== $amount ) {
			$body['amount'] = (int) round( (float) $amount );
		}
		if ( 'virtual_account' === $order->get_meta( '_korea_checkout_payment_method' ) ) {
			$account = Korea_Checkout_Refund_Account::for_api( $order );
			if ( null === $account ) {
				return new WP_Error( 'korea_checkout_refund', __( 'Virtual-account refunds go to the customer\'s bank account: enter it in the Korea Checkout box and update the order first.', 'korea-checkout' ) );
			}
			$body['refundAccount'] = $account;
		}
		$answer = ( new Korea_Checkout_Api() )->refund( $order->get_id(), $body );
		if ( is_wp_error( $answer ) ) {
			/* translators: %s: error message from Korea Checkout */
			return new WP_Error( 'korea_checkout_refund', sprintf( __( 'Korea Checkout refused the refund: %s', 'korea-checkout' ), $answer->get_error_message() ) );
		}
		$order->add_order_note(
			/* translators: 1: refund amount, 2: Korea Checkout refund id */
			sprintf( __( 'Korea Checkout refund of %1$s won requested (%2$s).', 'korea-checkout' ), number_format_i18n( (float) $amount ), isset( $answer['refundId'] ) ? (string) $answer['refundId'] : '' )
		);
		return true;
	}

	/**
	 * Keeps the refund being created, for process_refund.
	 *
	 * @param WC_Order_Refund $refund The refund.
	 */
	public static function remember_refund( $refund ) {
		self::$creating_refund = $refund;
	}

	/**
	 * The id of the refund being created for this order (saved before process_refund runs).
	 *
	 * @param WC_Order $order The order.
	 * @return int
	 */
	private static function refund_id( WC_Order $order ) {
		$refund = self::$creating_refund;
		if ( $refund instanceof WC_Order_Refund && $refund->get_parent_id() === $order->get_id() && $refund->get_id() ) {
			return (int) $refund->get_id();
		}
		return 0;
	}

	/**
	 * The method the shopper picked (classic form, or the Checkout block's payment data).
	 *
	 * @return string
	 */
	private static function chosen_method() {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- WooCommerce checked the checkout nonce.
		$method  = isset( $_POST['korea_checkout_method'] ) ? sanitize_key( wp_unslash( $_POST['korea_checkout_method'] ) ) : '';
		$enabled = Korea_Checkout_Methods::enabled();
		if ( '' === $method && 1 === count( $enabled ) ) {
			$method = (string) key( $enabled );
		}
		return isset( $enabled[ $method ] ) ? $method : '';
	}

	/**
	 * The order as the wc/v3 REST API returns it: the shape the bridge maps.
	 *
	 * @param WC_Order $order The order.
	 * @return array<string, mixed>
	 */
	private static function order_json( WC_Order $order ) {
		$controller = new WC_REST_Orders_Controller();
		$request    = new WP_REST_Request( 'GET', '/wc/v3/orders/' . $order->get_id() );
		$request->set_param( 'id', $order->get_id() );
		$request->set_param( 'context', 'view' );
		$response = $controller->prepare_object_for_response( $order, $request );
		return (array) $response->get_data();
	}

	/**
	 * The hosted page opened on the chosen method.
	 *
	 * @param string $url    checkoutUrl.
	 * @param string $method Method id.
	 * @return string
	 */
	private static function with_method( $url, $method ) {
		return '' === $method ? $url : add_query_arg( 'method', rawurlencode( $method ), $url );
	}

	/**
	 * A Korean-first notice for a bridge error (the order stays retryable).
	 *
	 * @param mixed $error WP_Error or an unexpected answer.
	 * @return string
	 */
	private static function error_notice( $error ) {
		if ( is_wp_error( $error ) && 'payment_in_progress' === $error->get_error_code() ) {
			return __( 'A payment for this order is already in progress. Finish it in the other window, or try again in a moment.', 'korea-checkout' );
		}
		return __( 'The payment could not be started. Please try again in a moment.', 'korea-checkout' );
	}
}
