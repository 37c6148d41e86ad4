<?php
/**
 * The settings page markup (variables from Korea_Checkout_Admin::render()).
 *
 * @package KoreaCheckout
 *
 * @var array<string, mixed>  $settings
 * @var array<string, mixed>  $connection
 * @var array<string, string> $state
 * @var bool                  $has_key
 */

defined( 'ABSPATH' ) || exit;

$korea_checkout_notices = array(
	'saved'          => array( 'success', __( 'Settings saved.', 'korea-checkout' ) ),
	'bad_key'        => array( 'error', __( 'The API key must start with sk_test_ or sk_live_. The previous key was kept.', 'korea-checkout' ) ),
	'connected'      => array( 'success', __( 'Store connected to Korea Checkout.', 'korea-checkout' ) ),
	'connect_failed' => array( 'error', __( 'The store could not be connected. See the last error below.', 'korea-checkout' ) ),
	'test_ok'        => array( 'success', __( 'Connection works.', 'korea-checkout' ) ),
	'test_failed'    => array( 'error', __( 'Connection test failed. See the last error below.', 'korea-checkout' ) ),
);
// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- display only.
$korea_checkout_notice = isset( $_GET['kc_notice'] ) ? sanitize_key( wp_unslash( $_GET['kc_notice'] ) ) : '';
$korea_checkout_mode   = Korea_Checkout_Settings::mode();
$korea_checkout_labels = array(
	'automatic'  => __( 'Automatic (WooCommerce decides: processing, or completed for virtual orders)', 'korea-checkout' ),
	'processing' => __( 'Processing', 'korea-checkout' ),
	'completed'  => __( 'Completed', 'korea-checkout' ),
);
?>
<div class="wrap korea-checkout-settings">
	<h1><?php esc_html_e( 'Korea Checkout', 'korea-checkout' ); ?></h1>
	<?php if ( isset( $korea_checkout_notices[ $korea_checkout_notice ] ) ) : ?>
		<div class="notice notice-<?php echo esc_attr( $korea_checkout_notices[ $korea_checkout_notice ][0] ); ?> is-dismissible"><p><?php echo esc_html( $korea_checkout_notices[ $korea_checkout_notice ][1] ); ?></p></div>
	<?php endif; ?>

	<h2><?php esc_html_e( 'Connection', 'korea-checkout' ); ?></h2>
	<table class="widefat striped korea-checkout-health" style="max-width:48em">
		<tbody>
			<tr>
				<th><?php esc_html_e( 'Mode', 'korea-checkout' ); ?></th>
				<td id="korea-checkout-mode">
					<?php
					if ( 'live' === $korea_checkout_mode ) {
						esc_html_e( 'Live (real payments)', 'korea-checkout' );
					} elseif ( 'sandbox' === $korea_checkout_mode ) {
						esc_html_e( 'Sandbox (test payments)', 'korea-checkout' );
					} else {
						esc_html_e( 'No API key yet', 'korea-checkout' );
					}
					?>
				</td>
			</tr>
			<tr>
				<th><?php esc_html_e( 'Store', 'korea-checkout' ); ?></th>
				<td id="korea-checkout-state">
					<?php
					if ( 'connected' === $state['status'] ) {
						/* translators: %s: store id at Korea Checkout */
						echo esc_html( sprintf( __( 'Connected (%s)', 'korea-checkout' ), $state['store_id'] ) );
					} elseif ( 'error' === $state['status'] ) {
						esc_html_e( 'Korea Checkout could not be reached', 'korea-checkout' );
					} else {
						esc_html_e( 'Not connected', 'korea-checkout' );
					}
					?>
				</td>
			</tr>
			<tr>
				<th><?php esc_html_e( 'Last status update from Korea Checkout', 'korea-checkout' ); ?></th>
				<td id="korea-checkout-last-update"><?php echo esc_html( empty( $connection['last_update_at'] ) ? __( 'None yet', 'korea-checkout' ) : (string) $connection['last_update_at'] ); ?></td>
			</tr>
			<tr>
				<th><?php esc_html_e( 'Last error', 'korea-checkout' ); ?></th>
				<td id="korea-checkout-last-error"><?php echo esc_html( empty( $connection['last_error'] ) ? __( 'None', 'korea-checkout' ) : $connection['last_error'] . ' (' . $connection['last_error_at'] . ')' ); ?></td>
			</tr>
		</tbody>
	</table>
	<p>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline">
			<input type="hidden" name="action" value="korea_checkout_connect" />
			<?php wp_nonce_field( 'korea_checkout_connect' ); ?>
			<?php submit_button( __( 'Connect store', 'korea-checkout' ), 'primary', 'korea-checkout-connect', false, $has_key ? array() : array( 'disabled' => 'disabled' ) ); ?>
		</form>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" style="display:inline">
			<input type="hidden" name="action" value="korea_checkout_test" />
			<?php wp_nonce_field( 'korea_checkout_test' ); ?>
			<?php submit_button( __( 'Test connection', 'korea-checkout' ), 'secondary', 'korea-checkout-test', false, $has_key ? array() : array( 'disabled' => 'disabled' ) ); ?>
		</form>
	</p>

	<h2><?php esc_html_e( 'Settings', 'korea-checkout' ); ?></h2>
	<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
		<input type="hidden" name="action" value="korea_checkout_save" />
		<?php wp_nonce_field( 'korea_checkout_save' ); ?>
		<table class="form-table" role="presentation">
			<tr>
				<th scope="row"><label for="korea-checkout-api-url"><?php esc_html_e( 'API URL', 'korea-checkout' ); ?></label></th>
				<td><input type="url" class="regular-text" id="korea-checkout-api-url" name="api_url" value="<?php echo esc_attr( (string) $settings['api_url'] ); ?>" required /></td>
			</tr>
			<tr>
				<th scope="row"><label for="korea-checkout-api-key"><?php esc_html_e( 'API key', 'korea-checkout' ); ?></label></th>
				<td>
					<input type="password" class="regular-text" id="korea-checkout-api-key" name="api_key" autocomplete="off" value="<?php echo esc_attr( Korea_Checkout_Settings::mask_key( (string) $settings['api_key'] ) ); ?>" />
					<p class="description"><?php esc_html_e( 'sk_test_… for the sandbox, sk_live_… for real payments. The saved key is never shown in full.', 'korea-checkout' ); ?></p>
				</td>
			</tr>
			<tr>
				<th scope="row"><label for="korea-checkout-status-mapping"><?php esc_html_e( 'Order status mapping', 'korea-checkout' ); ?></label></th>
				<td>
					<select id="korea-checkout-status-mapping" name="status_mapping">
						<?php foreach ( $korea_checkout_labels as $korea_checkout_value => $korea_checkout_label ) : ?>
							<option value="<?php echo esc_attr( $korea_checkout_value ); ?>" <?php selected( $settings['status_mapping'], $korea_checkout_value ); ?>><?php echo esc_html( $korea_checkout_label ); ?></option>
						<?php endforeach; ?>
					</select>
				</td>
			</tr>
			<tr>
				<th scope="row"><?php esc_html_e( 'Payment methods', 'korea-checkout' ); ?></th>
				<td>
					<?php foreach ( Korea_Checkout_Methods::all() as $korea_checkout_id => $korea_checkout_name ) : ?>
						<label style="display:block"><input type="checkbox" name="methods[]" value="<?php echo esc_attr( $korea_checkout_id ); ?>" <?php checked( in_array( $korea_checkout_id, (array) $settings['methods'], true ) ); ?> /> <?php echo esc_html( $korea_checkout_name ); ?></label>
					<?php endforeach; ?>
				</td>
			</tr>
			<tr>
				<th scope="row"><?php esc_html_e( 'Debug log', 'korea-checkout' ); ?></th>
				<td><label><input type="checkbox" name="debug" value="1" <?php checked( 'yes', $settings['debug'] ); ?> /> <?php esc_html_e( 'Log requests to WooCommerce > Status > Logs (keys and personal data are redacted)', 'korea-checkout' ); ?></label></td>
			</tr>
		</table>
		<?php submit_button( __( 'Save settings', 'korea-checkout' ) ); ?>
	</form>
</div>
