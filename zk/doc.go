// Package zk is a ZooKeeper client: a pipelined session core (Conn) and,
// on top of it, a framework client (Client) with Apache Curator's
// semantics — retries, connection states, namespaces, protected creates
// and guaranteed deletes. The recipes in this module (locks, elections,
// barriers, caches) are built on Client.
//
// # Client or Conn
//
// Use Client, made by Connect, almost always. It keeps a session alive for
// as long as it is open: it reconnects, and when a session is lost it
// starts a new one by itself. Operations that fail with a transient error
// (connection loss, operation timeout) are retried by a retry policy
// (WithRetryPolicy), and connection-state changes — Connected, Suspended,
// Reconnected, Lost, ReadOnly, and Closed last — reach listeners
// (WithStateListener, Client.Listen) with Curator's meaning.
//
// Conn, made by Dial, is one session and nothing more, like pgconn under
// pgx: every call is one request, nothing is retried, and a Conn whose
// session expired is dead for good (every call then fails with
// ErrSessionExpired; Dial a new one). Use it for tools, tests and proxies
// that need to see each request and each session as it is. A Client uses
// Conns internally; Client.Conn exposes the current one as an escape hatch.
//
// Options are shared: Dial reads the session options, Connect reads those
// too plus the Client's own. Each option's doc says which layers read it;
// a Client-only option given to Dial, or any bad value, makes Dial or
// Connect fail with an error matching ErrInvalidOption that names it.
//
// # Errors
//
// Each ZooKeeper error code has a sentinel (ErrNoNode, ErrNodeExists,
// ErrBadVersion, ...); match with errors.Is, never by comparing strings.
// Errors of an operation are an *OpError carrying the operation and path
// ("zk: get /config: node does not exist"), so a log line says what
// failed. CodeOf gives the ZooKeeper error code of any error. When the
// context of a call ends, the error matches ctx.Err() and still names the
// operation ("zk: get /config: context canceled"). After Close every call
// fails with ErrClosed. Arguments that cannot be used fail at once with
// ErrInvalidPath, ErrInvalidArgument or ErrBadArguments, before anything
// is sent.
//
// # Paths, versions and ACLs
//
// Paths are absolute ("/app/config"), without a trailing slash, and are
// checked with the server's rules before they are sent (ValidatePath).
// A chroot in the connect string ("zk1:2181,zk2:2181/app") and a Client's
// namespace (WithNamespace) are prefixed to every path on the way out and
// removed from every path on the way in (created paths, watch events), so
// a program only ever sees paths relative to them. Sequential modes append
// a 10-digit counter to the name given.
//
// Set, Delete, SetACL and the Multi ops take the version the node must
// have; AnyVersion (-1) matches any. A nil ACL means the default ACL —
// OpenACLUnsafe unless WithDefaultACL says otherwise — in every create,
// CreateOp in a Multi included.
//
// # Watches
//
// ExistsW, GetW and ChildrenW return, with their result, a channel that
// receives exactly one event: the node's next change, or EventNotWatching
// when the session ends first. AddWatch sets a persistent or
// persistent-recursive watch (ZooKeeper 3.6+) whose events arrive on
// Watcher.Events until it is removed. Events are delivered in the order
// the server sent them, and a slow reader never blocks the session. Watches
// survive reconnects to the same session; they do not survive a lost
// session, so a Client user sets them again after Lost (the recipes'
// caches do this for you).
//
// ExistsWFunc, GetWFunc, ChildrenWFunc and AddWatchFunc deliver the same
// events to a callback instead of a channel, like the Java client's
// Watcher: no channel per watch, so a session can hold a hundred thousand
// watches at about 85 bytes each (a channel-form one-shot watch costs
// about 240). The callback runs on the Conn's event goroutine, in order
// with every other event, and must return quickly.
//
// # Servers, read-only mode and reconfiguration
//
// A HostProvider owns the server list (WithHostProvider; by default a
// StaticHostProvider over the connect string's hosts): shuffled, every
// name resolved again on each attempt (a Kubernetes headless service is
// followed), a one-second spin delay after a full cycle without a
// connection, as in the Java client. A connect string
// "dns-srv://_zookeeper._tcp.example.com/chroot" takes the servers from a
// DNS SRV record (SRVHostProvider).
//
// With WithReadOnly(true) a session may be served by a member that lost
// its quorum (readonlymode.enabled=true): the Client is then ReadOnly,
// reads and watches work, writes fail with ErrNotReadOnly (not retried).
// Meanwhile the Conn asks the other servers "isro" at doubling intervals
// (WithReadOnlyProbeInterval) and moves the session to the first that
// answers "rw"; the Client reports Reconnected. A real 3.8 read-only
// server refuses a session made read-write before (the Client sees
// Suspended, then Lost, then ReadOnly on a new session) and makes
// sessions only with localSessionsEnabled=true.
//
// GetConfig and Reconfig read and change the ensemble's dynamic
// configuration (ConfigNode, outside any chroot). UpdateServerList gives
// the host provider a new list and moves only the share of clients needed
// to keep the load even (ZOOKEEPER-1355); WithEnsembleTracker makes a
// Client do that whenever the configuration changes, as Curator's
// EnsembleTracker does.
//
// # Authentication and older servers
//
// WithAuth sends a credential (digest "user:password", x509, ...) on every
// connection before any request, and Dial and Connect fail with
// ErrAuthFailed when the server refuses one. WithSASL authenticates every
// connection with SASL before anything else is sent: DigestMD5 for
// ZooKeeper's DigestLoginModule, and Kerberos (GSSAPI) from the
// zk/kerberos package. The session is then known to ACLs as "sasl:<name>"
// (WhoAmI lists what the server authenticated it as). A SASL exchange or
// credential that fails for good ends a Client in the AuthFailed state
// rather than retrying.
//
// Ops a server's release lacks (addWatch, multiRead, getEphemerals and
// getAllChildrenNumber before 3.6, whoAmI before 3.7) fail with
// ErrUnimplemented, are not retried, and are then refused at once while
// connected to that server; the recipes' caches fall back to one-shot
// watches on such a server. Event.Zxid carries the zxid of the change that
// fired a watch when the server sends it (3.9+).
//
// # Asynchronous calls
//
// GetAsync, SetAsync, CreateAsync, DeleteAsync, ExistsAsync and
// ChildrenAsync of a Conn queue their request and return a future at
// once; its Result blocks until the reply and returns what the blocking
// call would have (errors wrapped the same way), its Done channel is
// closed when the result is in. One goroutine can so keep hundreds of
// requests in flight, the way Curator's inBackground(), kazoo's
// get_async or pgconn's pipeline mode are used for throughput: the
// blocking calls need a goroutine per request in flight, each parked and
// woken once per call. Futures rather than callbacks: no user code runs
// on the Conn's reader goroutine (a slow callback would stall every
// reply), and a future composes with select and ctx like any channel.
//
// Requests go out in the order of the calls (from one goroutine; calls
// racing from several are ordered as they reach the queue) and ZooKeeper
// answers a session's requests in order, so futures complete in that
// order too: a read queued after a write sees it, and when one future is
// done, every future queued before it is. Exceptions are the calls that
// fail before anything is queued — an invalid path or argument, a closed
// Conn, data over the request size limit, a ctx already ended — whose
// future is done with the error when the call returns. When the ctx of a call
// ends before its reply, Result returns ctx's error at once and the reply
// is discarded when it arrives (a request not sent yet is not sent); a
// future nobody waits on completes so when its reply arrives. A future
// costs one allocation and no goroutine; one never waited on is simply
// dropped: connection loss and Close complete every outstanding future
// (with ErrConnectionLoss or ErrClosed), so nothing waits forever.
// Completion wakes nobody unless Done or Result is already waiting, so a
// consumer that takes results in order parks only when the oldest is not
// in yet, and one wake-up serves every reply of a batch.
//
// # Lifecycle
//
// Close a Client or Conn when done: it ends the session (its ephemeral
// nodes go with it) and every goroutine it started. Close is idempotent,
// and every method fails with ErrClosed afterwards. A zero Client or Conn
// (not made by Connect or Dial) fails the same way instead of hanging.
package zk
