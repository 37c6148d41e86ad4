<?php
/**
 * Plugin Name: Korea Checkout test hooks (must-use, tests only)
 * Description: The reference doc's three hook examples, each recording that it ran.
 */

defined( 'ABSPATH' ) || exit;

add_filter(
	'korea_checkout_fields',
	function ( $fields ) {
		$fields['custom_field'] = array(
			'type'     => 'text',
			'label'    => 'Custom Field',
			'required' => false,
		);
		return $fields;
	}
);

add_action(
	'korea_checkout_payment_complete',
	function ( $order_id, $payment_data ) {
		$order = wc_get_order( $order_id );
		do_action( 'custom_order_processing', $order, $payment_data );
		// phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
		file_put_contents( dirname( WC_RIG_MAIL_LOG ) . '/kc-hooks.log', wp_json_encode( array( 'order_id' => $order_id, 'payment_data' => $payment_data ) ) . "\n", FILE_APPEND | LOCK_EX );
	},
	10,
	2
);

add_filter(
	'korea_checkout_css_vars',
	function ( $vars ) {
		$vars['--primary-color'] = '#c0392b';
		$vars['--button-radius'] = '8px';
		return $vars;
	}
);
