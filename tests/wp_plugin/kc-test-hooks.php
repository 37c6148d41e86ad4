<?php
/**
 * Plugin Name: Korea Checkout test hooks (must-use, tests only)
 * Description: The reference doc's three hook examples, verbatim, and an observer of the
 * action the completion example fires.
 */

defined( 'ABSPATH' ) || exit;

// The reference doc's "Developer Customization" examples, copied verbatim.

// Filter checkout fields
add_filter('korea_checkout_fields', function($fields) {
// Add custom fields or modify existing ones
$fields['custom_field'] = array(
'type' => 'text',
'label' => 'Custom Field',
'required' => false
);
return $fields;
});
// Hook into payment completion
add_action('korea_checkout_payment_complete', function($order_id, $payment_data) {
// Custom logic after successful payment
$order = wc_get_order($order_id);
// Send custom emails, update inventory, etc.
do_action('custom_order_processing', $order, $payment_data);
}, 10, 2);
// Customize checkout appearance
add_filter('korea_checkout_css_vars', function($vars) {
$vars['--primary-color'] = '#your-brand-color';
$vars['--button-radius'] = '8px';
return $vars;
});

// Test observer, outside the examples: each time the completion example runs, it fires
// custom_order_processing; one line per call lets the tests count them.
add_action(
	'custom_order_processing',
	function ( $order, $payment_data ) {
		$line = wp_json_encode(
			array(
				'order_id'     => $order->get_id(),
				'payment_data' => $payment_data,
			)
		);
		// phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_file_put_contents
		file_put_contents( dirname( WC_RIG_MAIL_LOG ) . '/kc-hooks.log', $line . "\n", FILE_APPEND | LOCK_EX );
	},
	10,
	2
);
