<?php
/**
 * korea_checkout_fields: extra checkout fields the plugin manages, in the classic checkout
 * and (through the Additional Checkout Fields API) in the Checkout block.
 *
 * @package KoreaCheckout
 */

defined( 'ABSPATH' ) || exit;

/**
 * Shows, validates (WooCommerce's required check), saves and displays the filtered fields.
 */
final class Korea_Checkout_Fields {

	const META_PREFIX = '_korea_checkout_field_';
	const BLOCK_NAMESPACE = 'korea-checkout/';
	const TYPES = array( 'text', 'select', 'checkbox' );

	/**
	 * Hooks both checkouts and the order screen.
	 */
	public static function init() {
		add_filter( 'woocommerce_checkout_fields', array( __CLASS__, 'classic_fields' ) );
		add_action( 'woocommerce_checkout_create_order', array( __CLASS__, 'save_classic' ), 10, 2 );
		add_action( 'woocommerce_admin_order_data_after_billing_address', array( __CLASS__, 'show_in_admin' ) );
		add_action( 'woocommerce_init', array( __CLASS__, 'register_block_fields' ) );
	}

	/**
	 * The fields after the filter, normalised: key => type, label, required, options.
	 *
	 * @return array<string, array<string, mixed>>
	 */
	public static function fields() {
		$fields = apply_filters( 'korea_checkout_fields', array() );
		$clean  = array();
		foreach ( (array) $fields as $key => $field ) {
			$key = sanitize_key( (string) $key );
			if ( '' === $key || ! is_array( $field ) ) {
				continue;
			}
			$type          = isset( $field['type'] ) && in_array( $field['type'], self::TYPES, true ) ? $field['type'] : 'text';
			$clean[ $key ] = array(
				'type'     => $type,
				'label'    => isset( $field['label'] ) ? (string) $field['label'] : $key,
				'required' => ! empty( $field['required'] ),
				'options'  => isset( $field['options'] ) && is_array( $field['options'] ) ? $field['options'] : array(),
			);
		}
		return $clean;
	}

	/**
	 * Adds the fields after the billing address of the classic checkout.
	 *
	 * @param array<string, array<string, mixed>> $checkout_fields WooCommerce's fields.
	 * @return array<string, array<string, mixed>>
	 */
	public static function classic_fields( $checkout_fields ) {
		$priority = 200;
		foreach ( self::fields() as $key => $field ) {
			$checkout_fields['billing'][ $key ] = array(
				'type'     => $field['type'],
				'label'    => $field['label'],
				'required' => $field['required'],
				'options'  => $field['options'],
				'class'    => array( 'form-row-wide', 'korea-checkout-field' ),
				'priority' => $priority++,
			);
		}
		return $checkout_fields;
	}

	/**
	 * Saves the classic checkout's values on the order (CRUD, HPOS-safe).
	 *
	 * @param WC_Order             $order The order being created.
	 * @param array<string, mixed> $data  Posted checkout data, already validated.
	 */
	public static function save_classic( $order, $data ) {
		foreach ( array_keys( self::fields() ) as $key ) {
			if ( isset( $data[ $key ] ) && '' !== $data[ $key ] ) {
				$order->update_meta_data( self::META_PREFIX . $key, wc_clean( $data[ $key ] ) );
			}
		}
	}

	/**
	 * Registers the same fields with the Checkout block (stored and shown by WooCommerce).
	 */
	public static function register_block_fields() {
		if ( ! function_exists( 'woocommerce_register_additional_checkout_field' ) ) {
			return;
		}
		foreach ( self::fields() as $key => $field ) {
			$args = array(
				'id'       => self::BLOCK_NAMESPACE . $key,
				'label'    => $field['label'],
				'location' => 'order',
				'type'     => $field['type'],
				'required' => $field['required'],
			);
			if ( 'select' === $field['type'] ) {
				$args['options'] = array();
				foreach ( $field['options'] as $value => $label ) {
					$args['options'][] = array(
						'value' => (string) $value,
						'label' => (string) $label,
					);
				}
			}
			woocommerce_register_additional_checkout_field( $args );
		}
	}

	/**
	 * Shows the classic checkout's values on the order screen.
	 *
	 * @param WC_Order $order The order.
	 */
	public static function show_in_admin( $order ) {
		foreach ( self::fields() as $key => $field ) {
			$value = $order->get_meta( self::META_PREFIX . $key );
			if ( '' !== (string) $value ) {
				printf( '<p class="korea-checkout-field-value"><strong>%1$s:</strong> %2$s</p>', esc_html( $field['label'] ), esc_html( (string) $value ) );
			}
		}
	}
}
