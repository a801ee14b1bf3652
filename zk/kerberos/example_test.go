package kerberos_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	krbconfig "github.com/jcmturner/gokrb5/v8/config"

	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// A client authenticated as app@EXAMPLE.COM from its keytab reads a node
// only that principal may read. (Not run: it needs a KDC and a
// Kerberized ensemble.)
func Example() {
	ctx := context.Background()
	mech, err := kerberos.New(kerberos.Config{
		Principal:  "app@EXAMPLE.COM",
		KeytabPath: "/etc/app/app.keytab",
		// KRB5ConfPath defaults to $KRB5_CONFIG, then /etc/krb5.conf.
		// The service principal is zookeeper/<host dialled>@EXAMPLE.COM.
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mech.Close() // after the Client: its tickets serve every reconnect
	c, err := zk.Connect(ctx, "zk1.example.com:2181,zk2.example.com:2181", zk.WithSASL(mech))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	_, err = c.Create(ctx, "/app-secret", []byte("s3cr3t"), zk.ModePersistent,
		[]zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: "app@EXAMPLE.COM"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _, err := c.Get(ctx, "/app-secret")
	fmt.Println(string(data), err)
}

// New checks the configuration before any connection: here the keytab
// does not exist.
func ExampleNew() {
	conf, err := krbconfig.NewFromString("[libdefaults]\n default_realm = EXAMPLE.COM\n")
	if err != nil {
		panic(err)
	}
	_, err = kerberos.New(kerberos.Config{
		Principal:  "app", // @EXAMPLE.COM, krb5.conf's default realm
		KeytabPath: "/nonexistent/app.keytab",
		KRB5Conf:   conf,
	})
	fmt.Println(errors.Is(err, fs.ErrNotExist))
	// Output: true
}
