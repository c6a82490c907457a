<?php
// The hosted IdP (SimpleSAMLphp IdP QuickStart: "Configuring the IdP"). The entity ID is
// generated from the base URL: <base>/saml2/idp/metadata.php.
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.pem',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    // NameIDs of a persistent-style format (emailAddress, unspecified) take the user's e-mail
    // attribute (reference-idp-hosted: simplesaml.nameidattribute); transient ones stay random.
    'simplesaml.nameidattribute' => 'email',
];
