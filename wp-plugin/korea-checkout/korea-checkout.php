<?php
/**
 * Plugin Name:          Korea Checkout for WooCommerce
 * Plugin URI:           https://koreacheckout.com/
 * Description:          Korean payments (cards with 할부, virtual accounts, bank transfer, KakaoPay, NaverPay, TossPay, Samsung Pay) through the Korea Checkout hosted page, with orders kept in sync.
 * Version:              1.0.0
 * Author:               Korea Checkout
 * Author URI:           https://koreacheckout.com/
 * License:              GPL-2.0-or-later
 * License URI:          https://www.gnu.org/licenses/gpl-2.0.html
 * Requires at least:    6.4
 * Tested up to:         6.8
 * Requires PHP:         7.4
 * Requires Plugins:     woocommerce
 * WC requires at least: 8.5
 * WC tested up to:      10.0
 * Text Domain:          korea-checkout
 * Domain Path:          /languages
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

define( 'KOREA_CHECKOUT_VERSION', '1.0.0' );
define( 'KOREA_CHECKOUT_FILE', __FILE__ );
define( 'KOREA_CHECKOUT_DIR', plugin_dir_path( __FILE__ ) );

require_once KOREA_CHECKOUT_DIR . 'includes/class-korea-checkout-plugin.php';

// Both features really work: orders are touched through WooCommerce CRUD only, and the
// Checkout block gets its own payment method integration.
add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', KOREA_CHECKOUT_FILE, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', KOREA_CHECKOUT_FILE, true );
		}
	}
);

add_action( 'plugins_loaded', array( 'Korea_Checkout_Plugin', 'boot' ) );
