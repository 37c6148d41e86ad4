<?php
/**
 * Debug log through WooCommerce's logger, with secrets and personal data redacted.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Writes to WooCommerce > Status > Logs (source "korea-checkout") when debug is on.
 */
final class Korea_Checkout_Logger {

	const SOURCE = 'korea-checkout';

	/**
	 * Field names whose values never reach the log.
	 */
	const REDACTED = array( 'api_key', 'x-api-key', 'consumerkey', 'consumersecret', 'consumer_key', 'consumer_secret', 'secret', 'password', 'token', 'name', 'email', 'phone', 'address', 'address_1', 'address_2', 'detailaddress', 'postalcode', 'postcode', 'first_name', 'last_name', 'billing', 'shipping', 'customer', 'accountnumber', 'holder', 'refundaccount' );

	/**
	 * Logs a message with context when debug logging is enabled (errors always).
	 *
	 * @param string               $level   PSR-3 level.
	 * @param string               $message Constant message.
	 * @param array<string, mixed> $context Extra data; redacted before writing.
	 */
	public static function log( $level, $message, array $context = array() ) {
		if ( 'error' !== $level && 'yes' !== Korea_Checkout_Settings::get( 'debug' ) ) {
			return;
		}
		if ( ! function_exists( 'wc_get_logger' ) ) {
			return;
		}
		$context['source'] = self::SOURCE;
		wc_get_logger()->log( $level, $message . ' ' . wp_json_encode( self::redact( $context ) ), array( 'source' => self::SOURCE ) );
	}

	/**
	 * A copy of $data with secret and personal fields masked, and key-looking strings cut.
	 *
	 * @param mixed $data Anything JSON-like.
	 * @return mixed
	 */
	public static function redact( $data ) {
		if ( is_array( $data ) ) {
			$out = array();
			foreach ( $data as $key => $value ) {
				$out[ $key ] = in_array( strtolower( (string) $key ), self::REDACTED, true ) ? '[redacted]' : self::redact( $value );
			}
			return $out;
		}
		if ( is_string( $data ) ) {
			return preg_replace( '/\b(sk_(?:test|live)_|ck_|cs_|whsec_)[A-Za-z0-9+\/=]{4,}/', '$1[redacted]', $data );
		}
		return $data;
	}
}
