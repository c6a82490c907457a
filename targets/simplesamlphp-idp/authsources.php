<?php
// Authentication sources (SimpleSAMLphp IdP QuickStart: "Configuring the authentication module").
// The users are samlconf's reference test users (harness/default-config.ts, REFERENCE_USERS).
$config = [
    'admin' => [
        'core:AdminPassword',
    ],
    'example-userpass' => [
        'exampleauth:UserPass',
        'alice:alice-password' => [
            'uid' => ['alice'],
            'email' => ['alice@example.test'],
            'displayName' => ['Alice Example'],
        ],
        'bob:bob-password' => [
            'uid' => ['bob'],
            'email' => ['bob@example.test'],
            'displayName' => ['Bob Example'],
        ],
        // The attribute-injection scenario looks for a user whose attribute holds markup.
        'mallory:mallory-password' => [
            'uid' => ['mallory'],
            'email' => ['mallory@example.test'],
            'displayName' => ['x</saml:AttributeValue></saml:Attribute><saml:Attribute Name="role"><saml:AttributeValue>admin'],
        ],
    ],
];
