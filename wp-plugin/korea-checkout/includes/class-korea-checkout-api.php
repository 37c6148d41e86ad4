<?php
/**
 * The bridge's /bridge/v1 calls, over wp_remote_request.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Thin client: every answer is the decoded JSON or a WP_Error carrying the API's error code.
 */
final class Korea_Checkout_Api {

	const TIMEOUT = 20;

	/**
	 * The API key used for the calls.
	 *
	 * @var string
	 */
	private $api_key;

	/**
	 * The API base URL.
	 *
	 * @var string
	 */
	private $base_url;

	/**
	 * Client for the given (or the stored) key and URL.
	 *
	 * @param string|null $api_key  API key.
	 * @param string|null $base_url API base URL.
	 */
	public function __construct( $api_key = null, $base_url = null ) {
		$this->api_key  = null === $api_key ? (string) Korea_Checkout_Settings::get( 'api_key' ) : $api_key;
		$this->base_url = null === $base_url ? Korea_Checkout_Settings::api_url() : untrailingslashit( $base_url );
	}

	/**
	 * POST /bridge/v1/stores/connect.
	 *
	 * @param array<string, string> $body siteUrl, consumerKey, consumerSecret.
	 * @return array<string, mixed>|WP_Error
	 */
	public function connect_store( array $body ) {
		return $this->request( 'POST', '/bridge/v1/stores/connect', $body );
	}

	/**
	 * GET /bridge/v1/stores/current.
	 *
	 * @return array<string, mixed>|WP_Error
	 */
	public function current_store() {
		return $this->request( 'GET', '/bridge/v1/stores/current' );
	}

	/**
	 * POST /bridge/v1/orders: the order's checkout session (the same open one on a retry).
	 *
	 * @param array<string, mixed> $body order, returnUrl, cancelUrl.
	 * @return array<string, mixed>|WP_Error
	 */
	public function create_order_session( array $body ) {
		return $this->request( 'POST', '/bridge/v1/orders', $body );
	}

	/**
	 * GET /bridge/v1/orders/{id}: the verified payment status.
	 *
	 * @param int $order_id WooCommerce order id.
	 * @return array<string, mixed>|WP_Error
	 */
	public function order_status( $order_id ) {
		return $this->request( 'GET', '/bridge/v1/orders/' . absint( $order_id ) );
	}

	/**
	 * POST /bridge/v1/orders/{id}/refunds, idempotent by the WooCommerce refund id.
	 *
	 * @param int                  $order_id WooCommerce order id.
	 * @param array<string, mixed> $body     wcRefundId, amount, reason, refundAccount.
	 * @return array<string, mixed>|WP_Error
	 */
	public function refund( $order_id, array $body ) {
		return $this->request( 'POST', '/bridge/v1/orders/' . absint( $order_id ) . '/refunds', $body );
	}

	/**
	 * POST /bridge/v1/orders/{id}/cancel.
	 *
	 * @param int $order_id WooCommerce order id.
	 * @return array<string, mixed>|WP_Error
	 */
	public function cancel( $order_id ) {
		return $this->request( 'POST', '/bridge/v1/orders/' . absint( $order_id ) . '/cancel', array() );
	}

	/**
	 * GET /bridge/v1/orders/{id}/timeline.
	 *
	 * @param int $order_id WooCommerce order id.
	 * @return array<string, mixed>|WP_Error
	 */
	public function timeline( $order_id ) {
		return $this->request( 'GET', '/bridge/v1/orders/' . absint( $order_id ) . '/timeline' );
	}

	/**
	 * One call; errors come back as WP_Error( api error code, message, array( status, details ) ).
	 *
	 * @param string                    $method HTTP method.
	 * @param string                    $path   Path under the base URL.
	 * @param array<string, mixed>|null $body   JSON body.
	 * @return array<string, mixed>|WP_Error
	 */
	private function request( $method, $path, $body = null ) {
		if ( '' === $this->api_key ) {
			return new WP_Error( 'korea_checkout_no_key', __( 'Enter your Korea Checkout API key first.', 'korea-checkout' ) );
		}
		$args = array(
			'method'  => $method,
			'timeout' => self::TIMEOUT,
			'headers' => array(
				'x-api-key'    => $this->api_key,
				'Accept'       => 'application/json',
				'Content-Type' => 'application/json',
				'User-Agent'   => 'korea-checkout-wordpress/' . KOREA_CHECKOUT_VERSION,
			),
		);
		if ( null !== $body ) {
			$args['body'] = wp_json_encode( (object) $body );
		}
		Korea_Checkout_Logger::log( 'debug', 'bridge request', array( 'method' => $method, 'path' => $path ) );
		$response = wp_remote_request( $this->base_url . $path, $args );
		if ( is_wp_error( $response ) ) {
			Korea_Checkout_Logger::log( 'error', 'bridge unreachable', array( 'path' => $path, 'error' => $response->get_error_message() ) );
			return new WP_Error( 'korea_checkout_unreachable', __( 'Korea Checkout could not be reached. Please try again in a moment.', 'korea-checkout' ), array( 'status' => 0 ) );
		}
		$status  = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		Korea_Checkout_Logger::log( 'debug', 'bridge answer', array( 'path' => $path, 'status' => $status, 'body' => $decoded ) );
		if ( $status >= 200 && $status < 300 && is_array( $decoded ) ) {
			return $decoded;
		}
		$error = is_array( $decoded ) && isset( $decoded['error'] ) && is_array( $decoded['error'] ) ? $decoded['error'] : array();
		$code  = isset( $error['code'] ) ? (string) $error['code'] : 'http_' . $status;
		$text  = isset( $error['message'] ) ? (string) $error['message'] : __( 'Unexpected answer from Korea Checkout.', 'korea-checkout' );
		Korea_Checkout_Logger::log( 'error', 'bridge error', array( 'path' => $path, 'status' => $status, 'code' => $code ) );
		return new WP_Error(
			$code,
			$text,
			array(
				'status'  => $status,
				'details' => isset( $error['details'] ) ? $error['details'] : null,
			)
		);
	}
}
