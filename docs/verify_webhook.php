<?php
/**
 * Korea Checkout webhook verification for PHP receivers. Standalone: copy this file, no
 * dependencies, PHP 7.4 or later.
 *
 * Both functions take the RAW request body (file_get_contents('php://input')), never re-encoded
 * JSON, compare in constant time (hash_equals) and refuse timestamps more than $tolerance seconds
 * (default 5 minutes) away from now, in either direction. They return false on any failure.
 *
 *     $payload = file_get_contents('php://input');
 *     $header  = $_SERVER['HTTP_X_KOREA_CHECKOUT_SIGNATURE'] ?? '';
 *     if (!korea_checkout_verify_signature($payload, $header, getenv('KOREA_CHECKOUT_WEBHOOK_SECRET'))) {
 *         http_response_code(400);
 *         exit;
 *     }
 *     $event = json_decode($payload, true);  // deduplicate on $event['id']
 */

declare(strict_types=1);

if (!function_exists('korea_checkout_verify_signature')) {
    /**
     * Verify `x-korea-checkout-signature: t=<unix>,v1=<hex>[,v1=<hex>...]`.
     * The HMAC-SHA256 key is the whole secret string ("whsec_..."), the message "<t>.<body>".
     */
    function korea_checkout_verify_signature(
        string $payload,
        string $header,
        string $secret,
        int $tolerance = 300,
        ?int $now = null
    ): bool {
        if ($secret === '' || $secret === 'whsec_') {
            return false;  // an unset secret would make every signature forgeable
        }
        $timestamp = null;
        $signatures = [];
        foreach (explode(',', $header) as $item) {
            $parts = explode('=', trim($item), 2);
            if (count($parts) !== 2) {
                return false;
            }
            if ($parts[0] === 't') {
                if ($timestamp !== null) {
                    return false;
                }
                $timestamp = $parts[1];
            } elseif ($parts[0] === 'v1') {
                $signatures[] = $parts[1];
            }
            // Other keys are future schemes and are ignored.
        }
        if ($timestamp === null || $signatures === [] || !korea_checkout_timestamp_ok($timestamp, $tolerance, $now)) {
            return false;
        }
        $expected = hash_hmac('sha256', $timestamp . '.' . $payload, $secret);
        foreach ($signatures as $signature) {
            if (hash_equals($expected, $signature)) {
                return true;
            }
        }
        return false;
    }
}

if (!function_exists('korea_checkout_verify_standard_webhook')) {
    /**
     * Verify the Standard Webhooks headers webhook-id, webhook-timestamp and
     * webhook-signature ("v1,<base64>" entries separated by spaces). The HMAC-SHA256 key is the
     * base64-decoded part of the secret after "whsec_", the message "<id>.<timestamp>.<body>".
     */
    function korea_checkout_verify_standard_webhook(
        string $payload,
        string $webhookId,
        string $webhookTimestamp,
        string $webhookSignature,
        string $secret,
        int $tolerance = 300,
        ?int $now = null
    ): bool {
        if ($webhookId === '' || !korea_checkout_timestamp_ok($webhookTimestamp, $tolerance, $now)) {
            return false;
        }
        if (strncmp($secret, 'whsec_', 6) === 0) {
            $secret = substr($secret, 6);
        }
        $key = base64_decode($secret, true);
        if ($key === false || $key === '') {
            return false;
        }
        $signed = $webhookId . '.' . $webhookTimestamp . '.' . $payload;
        $expected = base64_encode(hash_hmac('sha256', $signed, $key, true));
        foreach (explode(' ', $webhookSignature) as $entry) {
            $parts = explode(',', $entry, 2);
            if (count($parts) === 2 && $parts[0] === 'v1' && hash_equals($expected, $parts[1])) {
                return true;
            }
        }
        return false;
    }
}

if (!function_exists('korea_checkout_timestamp_ok')) {
    /** Unix seconds, digits only, within $tolerance of now in both directions. */
    function korea_checkout_timestamp_ok(string $timestamp, int $tolerance, ?int $now): bool
    {
        if (preg_match('/\A[0-9]{1,12}\z/', $timestamp) !== 1) {
            return false;
        }
        $now = $now ?? time();
        return abs($now - (int) $timestamp) <= $tolerance;
    }
}
