package kerberos_test

import (
	"errors"
	"fmt"
	"io/fs"

	krbconfig "github.com/jcmturner/gokrb5/v8/config"

	"github.com/zkcurator/zkcurator/zk/kerberos"
)

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
