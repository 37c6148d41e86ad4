<?php
/**
 * Loads the real WordPress of the rig (its wp-load.php) as a request for the site's own host,
 * for the plugin's PHP tests and the Python tests' setup snippets.
 *
 *   php bootstrap.php WP_DIR SITE_URL FILE.php [FILE.php ...]
 */

if ( PHP_SAPI !== 'cli' || $argc < 4 ) {
	fwrite( STDERR, "usage: php bootstrap.php WP_DIR SITE_URL FILE.php...\n" );
	exit( 2 );
}
$kc_parts                   = parse_url( $argv[2] );
$_SERVER['HTTP_HOST']       = $kc_parts['host'] . ( isset( $kc_parts['port'] ) ? ':' . $kc_parts['port'] : '' );
$_SERVER['SERVER_NAME']     = $kc_parts['host'];
$_SERVER['SERVER_PORT']     = isset( $kc_parts['port'] ) ? (string) $kc_parts['port'] : '80';
$_SERVER['REQUEST_URI']     = '/';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
require rtrim( $argv[1], '/' ) . '/wp-load.php';

$kc_failures = 0;
$kc_passes   = 0;

/**
 * Records one check.
 *
 * @param bool   $ok   Outcome.
 * @param string $what What was checked.
 */
function kc_check( $ok, $what ) {
	global $kc_failures, $kc_passes;
	if ( $ok ) {
		++$kc_passes;
		return;
	}
	++$kc_failures;
	fwrite( STDERR, "FAILED: $what\n" );
}

foreach ( array_slice( $argv, 3 ) as $kc_file ) {
	require $kc_file;
}
foreach ( get_defined_functions()['user'] as $kc_function ) {
	if ( 0 === strpos( $kc_function, 'kc_test_' ) ) {
		try {
			call_user_func( $kc_function );
		} catch ( Throwable $kc_error ) {
			kc_check( false, $kc_function . ': ' . get_class( $kc_error ) . ': ' . $kc_error->getMessage() );
		}
	}
}
echo "$kc_passes passed, $kc_failures failed\n";
exit( $kc_failures ? 1 : 0 );
