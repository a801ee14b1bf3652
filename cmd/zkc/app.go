package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// defaultServer is the server used when neither --server nor $ZKC_SERVER
// names one.
const defaultServer = "127.0.0.1:2181"

// globals are the flags every command shares.
type globals struct {
	server   string
	embedded bool
	json     bool
	timeout  time.Duration
	auth     []string
	tlsCA    string
	tlsCert  string
	tlsKey   string
	saslMech string // --sasl: digest, kerberos or "" (from the other flags)
	saslUser string
	saslPass string
	saslFile string // --sasl-password-file
	krb      kerberosFlags
}

// app is one invocation of zkc (or one interactive shell): its flags, its
// output streams and, once a command needed it, its connection.
type app struct {
	g      globals
	in     io.Reader
	out    io.Writer
	errOut io.Writer

	client  *zk.Client
	client2 *zk.Client // --server2 of diff and mirror
	emb     *testserver.Server
	mech    *kerberos.Mechanism // --sasl kerberos: its tickets serve every connection
	inShell bool
}

// run parses args, runs the command and returns the process exit code.
func run(args []string, in io.Reader, out, errOut io.Writer) int {
	a := &app{in: in, out: out, errOut: errOut}
	a.g.server = os.Getenv("ZKC_SERVER")
	if a.g.server == "" {
		a.g.server = defaultServer
	}
	a.g.timeout = 10 * time.Second
	defer a.close()
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintln(errOut, "zkc: "+oneLine(err.Error()))
	return code
}

// close ends the session and stops the embedded server, if any.
func (a *app) close() {
	for _, c := range []**zk.Client{&a.client, &a.client2} {
		if *c != nil {
			_ = (*c).Close()
			*c = nil
		}
	}
	if a.mech != nil {
		_ = a.mech.Close()
		a.mech = nil
	}
	if a.emb != nil {
		_ = a.emb.Close()
		a.emb = nil
	}
}

// rootCommand builds the command tree bound to a.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "zkc",
		Short: "An operator's command line for ZooKeeper",
		Long: `zkc inspects and changes a ZooKeeper ensemble: its tree, sessions, ACLs,
the Curator recipes living in it and its servers. With no command it starts an
interactive shell.

Secured ensembles: --auth digest:user:password (addAuth), --tls-ca and
--tls-cert/--tls-key (TLS), --sasl digest with --sasl-user (SASL DIGEST-MD5),
--sasl kerberos with --kerberos-principal and --kerberos-keytab, or a kinit
cache (SASL GSSAPI). Passwords: --sasl-password-file FILE or
$ZKC_SASL_PASSWORD rather than --sasl-password, which other users of the
machine can read in the process list.

  zkc -s zk1.example.com:2181 --sasl kerberos --kerberos-principal app@EXAMPLE.COM \
      --kerberos-keytab /etc/app/app.keytab --krb5-conf /etc/krb5.conf ls /

Exit codes: 0 ok, 1 other error, 2 node not found, 3 not authorised,
4 connection failure, 64 bad usage.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.shell(cmd.Context())
		},
	}
	root.SetIn(a.in)
	root.SetOut(a.out)
	root.SetErr(a.errOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr{err} })
	a.addGlobalFlags(root)
	a.addCommands(root)
	return root
}

// addGlobalFlags registers the persistent flags on root.
func (a *app) addGlobalFlags(root *cobra.Command) {
	// The defaults are the current values, so that a shell line starts from
	// the flags the shell was started with.
	g := a.g
	f := root.PersistentFlags()
	f.StringVarP(&a.g.server, "server", "s", g.server, "connect string host:port[,host:port...][/chroot] (default $ZKC_SERVER, then "+defaultServer+")")
	f.BoolVar(&a.g.embedded, "embedded", g.embedded, "start an in-process test server and use it (for demos)")
	f.BoolVar(&a.g.json, "json", g.json, "print results as JSON")
	f.DurationVar(&a.g.timeout, "timeout", g.timeout, "bound for connecting and for each command")
	f.StringArrayVar(&a.g.auth, "auth", g.auth, "credential scheme:cred sent on connect, e.g. digest:user:password (repeatable)")
	f.StringVar(&a.g.tlsCA, "tls-ca", g.tlsCA, "PEM file of the CA that signed the servers' certificates (enables TLS)")
	f.StringVar(&a.g.tlsCert, "tls-cert", g.tlsCert, "PEM client certificate (with --tls-key)")
	f.StringVar(&a.g.tlsKey, "tls-key", g.tlsKey, "PEM client key (with --tls-cert)")
	a.addSASLFlags(f)
}

// addCommands registers every subcommand on root.
func (a *app) addCommands(root *cobra.Command) {
	root.AddCommand(
		a.lsCommand(), a.treeCommand(), a.getCommand(), a.statCommand(),
		a.setCommand(), a.createCommand(), a.deleteCommand(), a.findCommand(),
		a.grepCommand(), a.watchCommand(), a.whoamiCommand(), a.ephemeralsCommand(),
		a.getACLCommand(), a.setACLCommand(), a.locksCommand(), a.leaderCommand(),
		a.semaphoreCommand(), a.discoveryCommand(), a.healthCommand(), a.shellCommand(),
		a.dumpCommand(), a.restoreCommand(), a.diffCommand(), a.mirrorCommand(),
	)
	for _, w := range fourLetterCommands {
		root.AddCommand(a.fourLetterCommand(w.name, w.word, w.short))
	}
}

// connectString returns the connect string, starting the embedded server
// first when --embedded asks for it.
func (a *app) connectString() (string, error) {
	if !a.g.embedded {
		return a.g.server, nil
	}
	if a.emb == nil {
		s, err := testserver.Start()
		if err != nil {
			return "", connErr{fmt.Errorf("embedded server: %w", err)}
		}
		a.emb = s
	}
	return a.emb.ConnectString(), nil
}

// conn returns the connection, connecting on first use.
func (a *app) conn(ctx context.Context) (*zk.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	cs, err := a.connectString()
	if err != nil {
		return nil, err
	}
	opts, err := a.options()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, a.g.timeout)
	defer cancel()
	c, err := zk.Connect(ctx, cs, opts...)
	if err != nil {
		switch {
		case errors.Is(err, zk.ErrInvalidConnectString), errors.Is(err, zk.ErrInvalidOption):
			return nil, usageErr{err}
		case errors.Is(err, zk.ErrAuthFailed):
			return nil, err
		}
		return nil, connErr{fmt.Errorf("connect %s: %w", cs, err)}
	}
	a.client = c
	return c, nil
}

// options turns the global flags into zk options.
func (a *app) options() ([]zk.Option, error) {
	if a.g.timeout <= 0 {
		return nil, usageErr{fmt.Errorf("--timeout must be positive, got %v", a.g.timeout)}
	}
	opts := []zk.Option{zk.WithConnectionTimeout(a.g.timeout)}
	for _, s := range a.g.auth {
		scheme, cred, ok := strings.Cut(s, ":")
		if !ok || scheme == "" {
			return nil, usageErr{fmt.Errorf("--auth %q: want scheme:credential, e.g. digest:user:password", s)}
		}
		opts = append(opts, zk.WithAuth(scheme, []byte(cred)))
	}
	cfg, err := a.tlsConfig()
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		opts = append(opts, zk.WithTLS(cfg))
	}
	sasl, err := a.saslOption()
	if err != nil {
		return nil, err
	}
	if sasl != nil {
		opts = append(opts, sasl)
	}
	return opts, nil
}

// tlsConfig builds the TLS configuration from the --tls-* flags, or nil when
// none is set.
func (a *app) tlsConfig() (*tls.Config, error) {
	if a.g.tlsCA == "" && a.g.tlsCert == "" && a.g.tlsKey == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if a.g.tlsCA != "" {
		pem, err := os.ReadFile(a.g.tlsCA)
		if err != nil {
			return nil, usageErr{fmt.Errorf("--tls-ca: %w", err)}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usageErr{fmt.Errorf("--tls-ca %s: no PEM certificate in it", a.g.tlsCA)}
		}
		cfg.RootCAs = pool
	}
	if (a.g.tlsCert == "") != (a.g.tlsKey == "") {
		return nil, usageErr{errors.New("--tls-cert and --tls-key go together")}
	}
	if a.g.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(a.g.tlsCert, a.g.tlsKey)
		if err != nil {
			return nil, usageErr{fmt.Errorf("--tls-cert/--tls-key: %w", err)}
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// cmdContext bounds one command by --timeout.
func (a *app) cmdContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithTimeout(ctx, a.g.timeout)
}

// connect bounds one command by --timeout and connects: the start of every
// command that talks to the server. cancel is never nil (defer it even
// when err is not nil).
func (a *app) connect(cmd *cobra.Command) (ctx context.Context, c *zk.Client, cancel context.CancelFunc, err error) {
	ctx, cancel = a.cmdContext(cmd)
	c, err = a.conn(ctx)
	return ctx, c, cancel, err
}

// pathCommand builds a command on one PATH argument: it checks the path,
// connects, runs body and prints what body returns (v as JSON with --json,
// else text).
func (a *app) pathCommand(use, short, long string, body func(ctx context.Context, c *zk.Client, p string) (any, func(io.Writer), error)) *cobra.Command {
	return &cobra.Command{
		Use:               use,
		Short:             short,
		Long:              long,
		Args:              exactArgs(1),
		ValidArgsFunction: a.completePaths,
		RunE: wrapRun(func(cmd *cobra.Command, args []string) error {
			return a.onPath(cmd, args[0], func(ctx context.Context, c *zk.Client, p string) error {
				v, text, err := body(ctx, c, p)
				if err != nil {
					return err
				}
				return a.emit(v, text)
			})
		}),
	}
}

// onPath checks raw as a path, connects (bounded by --timeout, as connect)
// and runs f: the body of a command on one PATH.
func (a *app) onPath(cmd *cobra.Command, raw string, f func(ctx context.Context, c *zk.Client, p string) error) error {
	p, err := cleanPath(raw)
	if err != nil {
		return err
	}
	ctx, c, cancel, err := a.connect(cmd)
	defer cancel()
	if err != nil {
		return err
	}
	return f(ctx, c, p)
}
