<?php
/**
 * The plugin's classes inside the real WordPress + WooCommerce (run by bootstrap.php).
 */

function kc_test_mode_follows_the_key_prefix() {
	kc_check( 'sandbox' === Korea_Checkout_Settings::mode( 'sk_test_' . str_repeat( 'a', 64 ) ), 'sk_test_ is sandbox' );
	kc_check( 'live' === Korea_Checkout_Settings::mode( 'sk_live_' . str_repeat( 'a', 64 ) ), 'sk_live_ is live' );
	kc_check( '' === Korea_Checkout_Settings::mode( 'pk_nothing' ), 'anything else has no mode' );
	$key = 'sk_test_' . str_repeat( '0', 60 ) . 'abcd';
	kc_check( 'sk_test_…abcd' === Korea_Checkout_Settings::mask_key( $key ), 'the key is masked' );
}

function kc_test_log_context_is_redacted() {
	$out = Korea_Checkout_Logger::redact(
		array(
			'x-api-key' => 'sk_live_' . str_repeat( 'f', 64 ),
			'body'      => array(
				'billing' => array( 'email' => 'hong@example.com' ),
				'note'    => 'key sk_test_' . str_repeat( 'e', 64 ) . ' used',
				'status'  => 'completed',
			),
		)
	);
	kc_check( '[redacted]' === $out['x-api-key'], 'header key redacted' );
	kc_check( '[redacted]' === $out['body']['billing'], 'personal data redacted' );
	kc_check( 'key sk_test_[redacted] used' === $out['body']['note'], 'keys inside text redacted' );
	kc_check( 'completed' === $out['body']['status'], 'other fields kept' );
}

function kc_test_css_vars_keep_only_plain_values() {
	$filter = function ( $vars ) {
		$vars['--primary-color'] = '#c0392b';
		$vars['--evil']          = 'red;}body{display:none';
		$vars['color']           = 'red';
		return $vars;
	};
	add_filter( 'korea_checkout_css_vars', $filter, 99 );
	$vars = Korea_Checkout_Styles::vars();
	remove_filter( 'korea_checkout_css_vars', $filter, 99 );
	kc_check( '#c0392b' === $vars['--primary-color'], 'filtered colour kept' );
	kc_check( ! isset( $vars['--evil'] ) && ! isset( $vars['color'] ), 'unsafe or non-custom properties dropped' );
}

function kc_test_css_vars_of_the_wrong_shape_keep_the_default() {
	$filter = function ( $vars ) {
		$vars['--primary-color'] = '#your-brand-color';
		$vars['--button-radius'] = '8px';
		$vars['--card-radius']   = 'huge';
		$vars['--font-family']   = '"Noto Sans KR", sans-serif';
		return $vars;
	};
	add_filter( 'korea_checkout_css_vars', $filter, 99 );
	$vars = Korea_Checkout_Styles::vars();
	remove_filter( 'korea_checkout_css_vars', $filter, 99 );
	kc_check( '#1a5cff' === $vars['--primary-color'], 'a colour that is no colour keeps the default' );
	kc_check( '8px' === $vars['--button-radius'], 'a length is kept' );
	kc_check( ! isset( $vars['--card-radius'] ), 'a length that is no length is dropped' );
	kc_check( '"Noto Sans KR", sans-serif' === $vars['--font-family'], 'a font list is kept' );
}

function kc_test_fields_filter_reaches_the_classic_checkout() {
	$fields = Korea_Checkout_Fields::classic_fields( array( 'billing' => array() ) );
	kc_check( isset( $fields['billing']['custom_field'] ) && 'Custom Field' === $fields['billing']['custom_field']['label'], 'the doc example field is on the checkout' );
}

/**
 * A real order paid through the gateway.
 */
function kc_paid_order_fixture() {
	$order = wc_create_order();
	$order->add_product( wc_get_product( wc_get_product_id_by_sku( 'rig-demo' ) ), 1 );
	$order->set_payment_method( 'korea_checkout' );
	$order->calculate_totals();
	$order->update_meta_data( '_korea_checkout_session_id', 'cs_' . str_repeat( 'a', 32 ) );
	$order->save();
	return $order;
}

function kc_test_completion_fires_once_whatever_the_path() {
	$count   = 0;
	$seen    = array();
	$counter = function ( $order_id, $payment_data ) use ( &$count, &$seen ) {
		++$count;
		$seen = $payment_data;
	};
	add_action( 'korea_checkout_payment_complete', $counter, 10, 2 );
	$order = kc_paid_order_fixture();
	$order->payment_complete( 'toss_tx_once' );
	Korea_Checkout_Payments::maybe_fire( $order->get_id() );
	wc_get_order( $order->get_id() )->update_status( 'completed' );
	Korea_Checkout_Payments::apply_verified_status(
		wc_get_order( $order->get_id() ),
		array(
			'paid'                 => true,
			'totalAmount'          => 10000,
			'gatewayTransactionId' => 'toss_tx_once',
		)
	);
	remove_action( 'korea_checkout_payment_complete', $counter, 10 );
	kc_check( 1 === $count, "fired once, not $count times" );
	kc_check( 'toss_tx_once' === $seen['transaction_id'] && 10000 === $seen['amount'] && 'KRW' === $seen['currency'], 'payment data' );
}

function kc_test_a_wrong_amount_is_never_marked_paid() {
	$order = kc_paid_order_fixture();
	$paid  = Korea_Checkout_Payments::apply_verified_status(
		$order,
		array(
			'paid'                 => true,
			'totalAmount'          => 9000,
			'gatewayTransactionId' => 'toss_tx_short',
		)
	);
	$order = wc_get_order( $order->get_id() );
	kc_check( false === $paid && ! $order->is_paid() && $order->has_status( 'on-hold' ), 'a short payment puts the order on hold' );
}

function kc_test_return_url_carries_the_order_key() {
	$order = kc_paid_order_fixture();
	$url   = Korea_Checkout_Returns::return_url( $order );
	kc_check( false !== strpos( $url, 'key=' . $order->get_order_key() ) && false !== strpos( $url, 'wc-api=korea_checkout_return' ), 'return URL' );
}

function kc_test_korean_translation_loads() {
	$korean = function () {
		return 'ko_KR';
	};
	add_filter( 'plugin_locale', $korean );
	unload_textdomain( 'korea-checkout' );
	load_textdomain( 'korea-checkout', KOREA_CHECKOUT_DIR . 'languages/korea-checkout-ko_KR.mo' );
	kc_check( '쇼핑몰 연결' === __( 'Connect store', 'korea-checkout' ), 'Connect store in Korean' );
	kc_check( '가상계좌' === Korea_Checkout_Methods::name( 'virtual_account' ), 'method names in Korean' );
	remove_filter( 'plugin_locale', $korean );
	unload_textdomain( 'korea-checkout' );
}

function kc_test_compatibility_is_declared() {
	$util = \Automattic\WooCommerce\Utilities\FeaturesUtil::class;
	foreach ( array( 'custom_order_tables', 'cart_checkout_blocks' ) as $feature ) {
		$compat = $util::get_compatible_plugins_for_feature( $feature, true );
		kc_check( in_array( 'korea-checkout/korea-checkout.php', $compat['compatible'], true ), "$feature declared" );
	}
}

function kc_test_korean_phone_and_postcode_rules() {
	foreach ( array( '010-1234-5678', '01012345678', '02-123-4567', '031-123-4567', '+82 10-1234-5678', '1588-1234', '070-1234-5678' ) as $ok ) {
		kc_check( Korea_Checkout_Address::is_phone( $ok ), "phone $ok accepted" );
	}
	foreach ( array( '12345', '010-12-34', '+1 415 555 0100', 'abc' ) as $bad ) {
		kc_check( ! Korea_Checkout_Address::is_phone( $bad ), "phone $bad refused" );
	}
	kc_check( Korea_Checkout_Address::is_postcode( '06236' ) && ! Korea_Checkout_Address::is_postcode( '123-456' ), 'postcodes' );
	$problems = Korea_Checkout_Address::problems(
		array(
			'billing_country'  => 'US',
			'billing_postcode' => '94103-1234',
			'billing_phone'    => '+1 415 555 0100',
		)
	);
	kc_check( array() === $problems, 'other countries are not checked' );
}

function kc_test_korean_locale_puts_the_postcode_first() {
	$locale = WC()->countries->get_country_locale();
	kc_check( 45 === $locale['KR']['postcode']['priority'] && $locale['KR']['postcode']['required'], 'postcode before the address' );
}

function kc_test_refund_account_is_saved_from_the_order_screen() {
	$order = kc_paid_order_fixture();
	wp_set_current_user( 1 );
	$_POST = array(
		'korea_checkout_refund_account_nonce' => wp_create_nonce( Korea_Checkout_Refund_Account::NONCE ),
		'korea_checkout_refund_bank'          => '088',
		'korea_checkout_refund_number'        => '110-123-456789 ',
		'korea_checkout_refund_holder'        => '홍길동',
	);
	Korea_Checkout_Refund_Account::save( $order->get_id() );
	$account = Korea_Checkout_Refund_Account::for_api( wc_get_order( $order->get_id() ) );
	kc_check( array( 'bankCode' => '088', 'accountNumber' => '110-123-456789', 'holderName' => '홍길동' ) === $account, 'refund account saved' );
	$_POST['korea_checkout_refund_account_nonce'] = 'forged';
	$_POST['korea_checkout_refund_bank']          = '004';
	Korea_Checkout_Refund_Account::save( $order->get_id() );
	$account = Korea_Checkout_Refund_Account::for_api( wc_get_order( $order->get_id() ) );
	kc_check( '088' === $account['bankCode'], 'a forged nonce changes nothing' );
	$_POST = array();
	wp_set_current_user( 0 );
}

function kc_test_a_paid_order_is_never_sent_to_pay_again() {
	$order = kc_paid_order_fixture();
	$order->payment_complete( 'toss_tx_paid_before' );
	$calls = 0;
	$count = function ( $pre, $args, $url ) use ( &$calls ) {
		if ( false !== strpos( $url, '/bridge/v1/' ) ) {
			++$calls;
		}
		return $pre;
	};
	add_filter( 'pre_http_request', $count, 10, 3 );
	$gateway = new Korea_Checkout_Gateway();
	$result  = $gateway->process_payment( $order->get_id() );
	remove_filter( 'pre_http_request', $count, 10 );
	kc_check( 'success' === $result['result'] && false !== strpos( $result['redirect'], 'order-received' ), 'sent to the thank-you page' );
	kc_check( 0 === $calls, 'no call to the bridge' );
}
