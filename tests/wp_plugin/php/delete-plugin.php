<?php
/**
 * Deletes the uploaded plugin the way Plugins > Delete does (its uninstall.php runs), then
 * checks what it leaves behind.
 */

require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/file.php';

function kc_test_delete_runs_uninstall() {
	update_option( 'korea_checkout_settings', array( 'api_key' => 'sk_test_' . str_repeat( 'a', 64 ) ) );
	set_transient( 'korea_checkout_connection_state', array( 'status' => 'connected' ) );
	deactivate_plugins( 'korea-checkout/korea-checkout.php' );
	$deleted = delete_plugins( array( 'korea-checkout/korea-checkout.php' ) );
	kc_check( true === $deleted, 'plugin deleted' );
	kc_check( false === get_option( 'korea_checkout_settings' ), 'settings removed' );
	kc_check( false === get_transient( 'korea_checkout_connection_state' ), 'cache removed' );
	kc_check( ! file_exists( WP_PLUGIN_DIR . '/korea-checkout' ), 'files removed' );
}
