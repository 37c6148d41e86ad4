/*
 * Korean address search (Kakao/Daum Postcode) for the classic checkout and the Checkout
 * block. The shopper picks an address; postcode, road (or 지번) address with its 참고항목
 * and city are filled in and the cursor moves to the detail address. When the Postcode
 * script cannot load, the fields stay as they are for manual entry and a note says so.
 */
( function () {
	'use strict';
	var settings = window.koreaCheckoutAddress || {};
	var loading = null;

	function loadPostcode() {
		if ( window.daum && window.daum.Postcode ) {
			return Promise.resolve();
		}
		if ( ! loading ) {
			loading = new Promise( function ( resolve, reject ) {
				var script = document.createElement( 'script' );
				script.src = settings.script;
				script.async = true;
				script.onload = function () {
					return window.daum && window.daum.Postcode ? resolve() : reject();
				};
				script.onerror = reject;
				document.head.appendChild( script );
			} ).catch( function ( error ) {
				loading = null; // A later click may try again.
				throw error;
			} );
		}
		return loading;
	}

	// Values set so that both jQuery (classic) and React (block) see the change.
	function setValue( input, value ) {
		if ( ! input ) {
			return;
		}
		var setter = Object.getOwnPropertyDescriptor( window.HTMLInputElement.prototype, 'value' ).set;
		setter.call( input, value );
		input.dispatchEvent( new Event( 'input', { bubbles: true } ) );
		input.dispatchEvent( new Event( 'change', { bubbles: true } ) );
	}

	// The address as Kakao's own example builds it: 참고항목 is the legal dong (…동/로/가)
	// and the building name of an apartment, in parentheses after a road address.
	function addressOf( data ) {
		if ( data.userSelectedType === 'J' ) {
			return data.jibunAddress || data.autoJibunAddress || data.address;
		}
		var extra = [];
		if ( data.bname && /[동로가]$/.test( data.bname ) ) {
			extra.push( data.bname );
		}
		if ( data.buildingName && data.apartment === 'Y' ) {
			extra.push( data.buildingName );
		}
		var road = data.roadAddress || data.address;
		return extra.length ? road + ' (' + extra.join( ', ' ) + ')' : road;
	}

	function field( group, name ) {
		return document.getElementById( group.prefix + group.sep + name );
	}

	function focusDetail( group ) {
		var detail = field( group, 'address_2' );
		if ( ! detail && group.sep === '-' ) {
			var toggle = document.querySelector( '#' + group.prefix + ' .wc-block-components-address-form__address_2-toggle, .wc-block-components-address-form__address_2-toggle' );
			if ( toggle ) {
				toggle.click();
			}
			window.setTimeout( function () {
				var shown = field( group, 'address_2' );
				if ( shown ) {
					shown.focus();
				}
			}, 50 );
			return;
		}
		if ( detail ) {
			detail.focus();
		}
	}

	function fill( group, data ) {
		setValue( field( group, 'postcode' ), data.zonecode );
		setValue( field( group, 'address_1' ), addressOf( data ) );
		setValue( field( group, 'city' ), [ data.sido, data.sigungu ].filter( Boolean ).join( ' ' ) );
		focusDetail( group );
	}

	function showUnavailable( button, group ) {
		var note = button.nextElementSibling;
		if ( ! note || note.className !== 'korea-checkout-address-unavailable' ) {
			note = document.createElement( 'p' );
			note.className = 'korea-checkout-address-unavailable';
			note.setAttribute( 'role', 'status' );
			note.textContent = settings.unavailable;
			button.parentNode.insertBefore( note, button.nextSibling );
		}
		var postcode = field( group, 'postcode' );
		if ( postcode ) {
			postcode.focus();
		}
	}

	function isKorea( group ) {
		var country = field( group, 'country' );
		return ! country || ! country.value || country.value === 'KR';
	}

	function attach( group ) {
		var postcode = field( group, 'postcode' );
		if ( ! postcode ) {
			return;
		}
		var holder = postcode.closest( '.form-row, .wc-block-components-text-input' ) || postcode.parentNode;
		// Classic: inside the postcode's row, which WooCommerce moves by the locale's priority.
		// Block: right after the postcode input's wrapper.
		var classic = holder.classList.contains( 'form-row' );
		var scope = classic ? holder : holder.parentNode;
		var button = scope.querySelector( '.korea-checkout-address-search[data-group="' + group.prefix + '"]' );
		if ( ! button ) {
			button = document.createElement( 'button' );
			button.type = 'button';
			button.className = 'button korea-checkout-address-search';
			button.setAttribute( 'data-group', group.prefix );
			button.textContent = settings.search;
			button.addEventListener( 'click', function () {
				loadPostcode().then(
					function () {
						new window.daum.Postcode( {
							oncomplete: function ( data ) {
								fill( group, data );
							}
						} ).open();
					},
					function () {
						showUnavailable( button, group );
					}
				);
			} );
			if ( classic ) {
				holder.appendChild( button );
			} else {
				holder.parentNode.insertBefore( button, holder.nextSibling );
			}
		}
		button.hidden = ! isKorea( group );
	}

	var groups = [
		{ prefix: 'billing', sep: '_' },
		{ prefix: 'shipping', sep: '_' },
		{ prefix: 'billing', sep: '-' },
		{ prefix: 'shipping', sep: '-' }
	];

	function scan() {
		groups.forEach( attach );
	}

	// The classic form is in the page; the block renders later and re-renders: watch it.
	scan();
	new MutationObserver( function () {
		scan();
	} ).observe( document.body, { childList: true, subtree: true } );
	document.addEventListener( 'change', function ( event ) {
		if ( event.target && /country$/.test( event.target.id || '' ) ) {
			scan();
		}
	} );
}() );
