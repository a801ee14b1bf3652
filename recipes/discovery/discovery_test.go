package discovery_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/discovery"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func ids(insts []*discovery.ServiceInstance) []string {
	var out []string
	for _, i := range insts {
		out = append(out, i.ID)
	}
	return out
}

func TestRegisterQueryUnregister(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	base := root + "/services"
	d, err := discovery.New(c, base)
	require.NoError(t, err)

	a := &discovery.ServiceInstance{Name: "web", ID: "a", Address: "10.0.0.1", Port: discovery.Port(80), Payload: json.RawMessage(`{"zone":"x"}`)}
	b := &discovery.ServiceInstance{Name: "web", Address: "10.0.0.2", Port: discovery.Port(80)}
	db := &discovery.ServiceInstance{Name: "db", ID: "p", ServiceType: discovery.Permanent}
	for _, i := range []*discovery.ServiceInstance{a, b, db} {
		require.NoError(t, d.Register(ctx, i))
	}
	require.Len(t, b.ID, 36, "a UUID id")
	require.NotZero(t, b.RegistrationTimeUTC)

	_, st, err := c.Get(ctx, base+"/web/a")
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner, "DYNAMIC is ephemeral")
	_, st, err = c.Get(ctx, base+"/db/p")
	require.NoError(t, err)
	require.Zero(t, st.EphemeralOwner, "PERMANENT is persistent")

	names, err := d.QueryForNames(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"db", "web"}, names)
	web, err := d.QueryForInstances(ctx, "web")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"a", b.ID}, ids(web))
	got, err := d.QueryForInstance(ctx, "web", "a")
	require.NoError(t, err)
	require.Equal(t, *a, *got)
	_, err = d.QueryForInstance(ctx, "web", "nope")
	require.ErrorIs(t, err, zk.ErrNoNode)

	a.Address = "10.0.0.9"
	require.NoError(t, d.Update(ctx, a))
	got, err = d.QueryForInstance(ctx, "web", "a")
	require.NoError(t, err)
	require.Equal(t, "10.0.0.9", got.Address)

	require.NoError(t, d.Unregister(b))
	require.ErrorIs(t, d.Unregister(b), discovery.ErrNotRegistered)
	web, err = d.QueryForInstances(ctx, "web")
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, ids(web))

	require.NoError(t, d.Close())
	require.NoError(t, d.Close())
	require.False(t, zktest.Exists(t, c, base+"/web/a"), "Close unregisters")
	require.ErrorIs(t, d.Register(ctx, a), zk.ErrClosed)
	_, err = d.QueryForNames(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)

	require.ErrorIs(t, func() error { _, err := discovery.New(nil, "/x"); return err }(), zk.ErrInvalidArgument)
	require.ErrorIs(t, func() error { _, err := discovery.New(c, "x"); return err }(), zk.ErrInvalidPath)
	d2, err := discovery.New(c, base)
	require.NoError(t, err)
	defer d2.Close()
	require.ErrorIs(t, d2.Register(ctx, &discovery.ServiceInstance{Name: "a/b"}), discovery.ErrBadInstance)
	require.ErrorIs(t, d2.Register(ctx, nil), zk.ErrInvalidArgument)
}

func TestServiceCacheAndProvider(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	base := zktest.UniquePath(t) + "/services"
	reg, err := discovery.New(zktest.Connect(t, srv.ConnectString()), base)
	require.NoError(t, err)
	defer reg.Close()
	d, err := discovery.New(zktest.Connect(t, srv.ConnectString()), base)
	require.NoError(t, err)
	defer d.Close()
	for _, id := range []string{"1", "2", "3"} {
		require.NoError(t, reg.Register(ctx, &discovery.ServiceInstance{Name: "api", ID: id}))
	}

	sc, err := d.NewServiceCache("api")
	require.NoError(t, err)
	changes := make(chan struct{}, 16)
	sc.Listen(func() { changes <- struct{}{} })
	require.NoError(t, sc.Start(ctx))
	require.Equal(t, []string{"1", "2", "3"}, ids(sc.Instances()))

	p, err := d.NewServiceProvider("api", discovery.WithDownInstancePolicy(time.Hour, 2))
	require.NoError(t, err)
	defer p.Close()
	require.NoError(t, p.Start(ctx))
	var picked []string
	for range 4 {
		i, err := p.Instance()
		require.NoError(t, err)
		picked = append(picked, i.ID)
	}
	require.Equal(t, []string{"1", "2", "3", "1"}, picked, "round robin")

	two := p.AllInstances()[1]
	p.NoteError(two)
	p.NoteError(two)
	for range 4 {
		i, err := p.Instance()
		require.NoError(t, err)
		require.NotEqual(t, "2", i.ID, "down after two errors")
	}

	require.NoError(t, reg.Register(ctx, &discovery.ServiceInstance{Name: "api", ID: "4", Disabled: true}))
	zktest.Eventually(t, func() bool { return len(sc.Instances()) == 4 }, "cache sees instance 4")
	zktest.Eventually(t, func() bool { return len(p.AllInstances()) == 4 }, "provider sees instance 4")
	for range 6 {
		i, err := p.Instance()
		require.NoError(t, err)
		require.NotEqual(t, "4", i.ID, "disabled instances are not picked")
	}
	select {
	case <-changes:
	case <-ctx.Done():
		t.Fatal("no cache change")
	}

	require.NoError(t, sc.Close())
	require.NoError(t, sc.Close())
}

func TestProviderStrategiesAndOptions(t *testing.T) {
	ctx, c, _ := zktest.Setup(t)
	base := zktest.UniquePath(t) + "/services"
	d, err := discovery.New(c, base)
	require.NoError(t, err)
	defer d.Close()
	for _, id := range []string{"1", "2", "3"} {
		require.NoError(t, d.Register(ctx, &discovery.ServiceInstance{Name: "api", ID: id}))
	}

	sticky, err := d.NewServiceProvider("api", discovery.WithStrategy(discovery.Sticky(discovery.Random())),
		discovery.WithFilter(func(i *discovery.ServiceInstance) bool { return i.ID != "1" }))
	require.NoError(t, err)
	defer sticky.Close()
	require.NoError(t, sticky.Start(ctx))
	first, err := sticky.Instance()
	require.NoError(t, err)
	require.NotEqual(t, "1", first.ID)
	for range 5 {
		i, err := sticky.Instance()
		require.NoError(t, err)
		require.Equal(t, first.ID, i.ID, "sticky")
	}

	empty, err := d.NewServiceProvider("none")
	require.NoError(t, err)
	defer empty.Close()
	require.NoError(t, empty.Start(ctx))
	_, err = empty.Instance()
	require.ErrorIs(t, err, discovery.ErrNoInstances)

	_, err = d.NewServiceProvider("api", discovery.WithStrategy(nil))
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = d.NewServiceProvider("api", discovery.WithDownInstancePolicy(0, 1))
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
}

// Registering an id whose ephemeral node another session still holds (a
// restarted process's previous run) replaces it at once, as Curator does.
func TestRegisterTakesOverStaleInstance(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	base := zktest.UniquePath(t) + "/services"
	old := zktest.Connect(t, srv.ConnectString())
	c := zktest.Connect(t, srv.ConnectString())
	_, _, err := old.CreateWith(ctx, base+"/web/a", []byte(`{}`), zk.CreateOptions{Mode: zk.ModeEphemeral, CreateParents: true})
	require.NoError(t, err)

	d, err := discovery.New(c, base)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, d.Register(ctx, &discovery.ServiceInstance{Name: "web", ID: "a", Address: "new"}))
	_, st, err := c.Get(ctx, base+"/web/a")
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
	got, err := d.QueryForInstance(ctx, "web", "a")
	require.NoError(t, err)
	require.Equal(t, "new", got.Address)
}
