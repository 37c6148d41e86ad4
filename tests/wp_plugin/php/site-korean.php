<?php
/**
 * Setup for the distribution test: the site language is Korean, and the admin uses the site
 * language. The option is written directly because WordPress only accepts a language whose
 * core pack is installed, and the rig has no network to fetch one; the plugin's own Korean
 * comes from its languages/.
 */

global $wpdb;
$wpdb->query( $wpdb->prepare( "INSERT INTO {$wpdb->options} (option_name, option_value, autoload) VALUES ('WPLANG', %s, 'on') ON DUPLICATE KEY UPDATE option_value = VALUES(option_value)", 'ko_KR' ) ); // phpcs:ignore WordPress.DB
wp_cache_flush();
foreach ( get_users( array( 'fields' => 'ID' ) ) as $kc_user_id ) {
	delete_user_meta( $kc_user_id, 'locale' );
}

