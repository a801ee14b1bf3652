// Package kerberos is the SASL GSSAPI (Kerberos v5) mechanism for zk
// (RFC 4752), so a client can authenticate to a ZooKeeper ensemble
// secured with Kerberos, as the Java client does with a JAAS "Client"
// section using Krb5LoginModule.
//
// New builds the mechanism from a Config: the client principal with a
// keytab, or a credentials cache made by kinit (KRB5CCNAME by default),
// and the krb5.conf to find the realm's KDC. Give the mechanism to
// zk.WithSASL:
//
//	mech, err := kerberos.New(kerberos.Config{
//		Principal:  "app@EXAMPLE.COM",
//		KeytabPath: "/etc/app/app.keytab",
//	})
//	if err != nil { ... }
//	c, err := zk.Connect(ctx, "zk1.example.com:2181", zk.WithSASL(mech))
//	...
//	c.Close()
//	mech.Close()
//
// Every connection, reconnects included, authenticates with a ticket for
// the service principal "zookeeper/<host>@<REALM>", where host is the
// host part of the server address dialled; Config.ServiceName,
// Config.ServiceHost and Config.CanonicalizeHostname change that as the
// Java client's zookeeper.sasl.client.username, zookeeper.server.principal
// and zookeeper.sasl.client.canonicalize.hostname do. The mechanism then
// answers the server's security-layer offer choosing no security layer
// (ZooKeeper's servers offer only that), with the principal as the
// authorization id.
//
// Tickets are kept, as the Java client's login and JGSS keep them: the
// first connection logs in (one AS exchange; none with a credentials
// cache) and gets the service ticket (one TGS exchange); every later
// connection of every Conn sharing the Mechanism reuses them. From then
// on the Mechanism renews its tickets before they expire, as the Java
// client's login thread does, whether or not a connection needs them:
// at 80-85 % of their lifetime a timer logs in again (or renews the
// credentials cache's TGT while its renew-till allows) and gets new
// service tickets, retrying with backoff while the KDC fails. A
// reconnect storm therefore does not reach the KDC, and a KDC that is
// down stops no reconnect while the tickets held are valid, hours after
// the first connection included. Close stops the renewals and forgets
// the tickets.
//
// The server names an authenticated client in ACLs as
// sasl:<id>: by default ZooKeeper 3.8 takes the principal's short name
// (after the server's auth_to_local rules: "app" for app@EXAMPLE.COM in the
// default realm) and appends the host and realm back unless
// zookeeper.kerberos.removeHostFromPrincipal /
// removeRealmFromPrincipal are set, so app@EXAMPLE.COM is
// sasl:app@EXAMPLE.COM. An ACL of scheme "auth" (zk.CreatorAllACL) lets the
// server fill in the id itself.
//
// The Kerberos protocol is github.com/jcmturner/gokrb5/v8, the library
// Go's Kafka clients use for the same purpose.
package kerberos
