/* Korea Checkout in the Checkout block: plain JavaScript on the wc and wp globals, no build step. */
( function () {
	'use strict';
	var registry = window.wc && window.wc.wcBlocksRegistry;
	var settings = window.wc && window.wc.wcSettings;
	var element = window.wp && window.wp.element;
	if ( ! registry || ! settings || ! element ) {
		return;
	}
	var el = element.createElement;
	var useState = element.useState;
	var useEffect = element.useEffect;
	var decode = ( window.wp.htmlEntities && window.wp.htmlEntities.decodeEntities ) || function ( s ) { return s; };
	var data = settings.getSetting( 'korea_checkout_data', {} );
	var methods = data.methods || [];
	var title = decode( data.title || 'Korea Checkout' );

	function Content( props ) {
		var initial = methods.length ? methods[ 0 ].id : '';
		var state = useState( initial );
		var chosen = state[ 0 ];
		var setChosen = state[ 1 ];
		var onPaymentSetup = props.eventRegistration.onPaymentSetup;
		var responseTypes = props.emitResponse.responseTypes;
		useEffect( function () {
			return onPaymentSetup( function () {
				if ( ! chosen ) {
					return { type: responseTypes.ERROR, message: 'Choose a payment method.' };
				}
				return { type: responseTypes.SUCCESS, meta: { paymentMethodData: { korea_checkout_method: chosen } } };
			} );
		}, [ onPaymentSetup, chosen ] );
		var style = data.cssVars || {};
		return el(
			'div',
			null,
			data.description ? el( 'p', null, decode( data.description ) ) : null,
			el(
				'fieldset',
				{ className: 'korea-checkout-methods', style: style },
				methods.map( function ( method ) {
					return el(
						'label',
						{ key: method.id, className: 'korea-checkout-method' },
						el( 'input', {
							type: 'radio',
							name: 'korea_checkout_method',
							value: method.id,
							checked: chosen === method.id,
							onChange: function () { setChosen( method.id ); }
						} ),
						' ' + decode( method.name )
					);
				} )
			)
		);
	}

	registry.registerPaymentMethod( {
		name: 'korea_checkout',
		label: el( 'span', null, title ),
		ariaLabel: title,
		content: el( Content, null ),
		edit: el( 'div', null, title ),
		canMakePayment: function () { return methods.length > 0; },
		supports: { features: data.supports || [ 'products' ] }
	} );
}() );
