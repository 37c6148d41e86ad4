<?php
/**
 * Removes what the plugin stored: its settings, cached state and the REST key it created.
 * Orders and their payment meta stay: they are the store's records.
 *
 * @package KoreaCheckout
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

global $wpdb;

$korea_checkout_connection = get_option( 'korea_checkout_connection', array() );
if ( is_array( $korea_checkout_connection ) && ! empty( $korea_checkout_connection['rest_key_id'] ) ) {
	$wpdb->delete( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
		$wpdb->prefix . 'woocommerce_api_keys',
		array( 'key_id' => (int) $korea_checkout_connection['rest_key_id'] ),
		array( '%d' )
	);
}

foreach ( array( 'korea_checkout_settings', 'korea_checkout_connection', 'woocommerce_korea_checkout_settings' ) as $korea_checkout_option ) {
	delete_option( $korea_checkout_option );
}
delete_transient( 'korea_checkout_connection_state' );
