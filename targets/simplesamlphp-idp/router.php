<?php
// Router for PHP's built-in server in front of SimpleSAMLphp's www/ folder: every request goes to
// SimpleSAMLphp as Apache would send it, plus one convenience URL for samlconf.
//   GET /idp-initiated[?RelayState=...]  IdP-initiated SSO to the configured SP, through
//   SimpleSAMLphp's own IdP-first URL (saml2/idp/SSOService.php?spentityid=...).
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
if ($path === '/idp-initiated') {
    $sp = getenv('SAMLCONF_SP_ENTITY_ID');
    if ($sp === false || $sp === '') {
        http_response_code(503);
        header('Content-Type: text/plain');
        echo "SAMLCONF_SP_ENTITY_ID is not set\n";
        return true;
    }
    $query = ['spentityid' => $sp];
    if (isset($_GET['RelayState'])) {
        $query['RelayState'] = $_GET['RelayState'];
    }
    header('Location: /saml2/idp/SSOService.php?' . http_build_query($query), true, 302);
    return true;
}
if ($path === '/' || $path === '') {
    header('Location: /module.php/core/frontpage_welcome.php', true, 302);
    return true;
}
return false; // the built-in server serves the file or runs the script (with PATH_INFO)
