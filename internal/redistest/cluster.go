package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterNodeTimeout is cluster-node-timeout in milliseconds: short, so a
// killed master is failed over within a few seconds rather than 15.
const clusterNodeTimeout = 1000

// Cluster is a private Redis Cluster of three masters with one replica each,
// every node a redis-server process started by the test and killed by pid
// when it ends.
type Cluster struct {
	t     testing.TB
	Dir   string
	nodes []*proc

	mu     sync.Mutex
	killed map[string][]string // slot ranges a killed master served
}

// StartCluster starts six cluster nodes on free ports (each with its bus
// port free too; without an append-only file, which CONFIG SET appendonly
// yes turns on, in appendonlydir-<port> of Dir), joins them with redis-cli --cluster create, and waits
// until every node reports cluster_state:ok with all slots covered and every
// replica in sync.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	needBinaries(t, "redis-server", "redis-cli")
	c := &Cluster{t: t, Dir: t.TempDir(), killed: map[string][]string{}}
	for _, port := range freePorts(t, 6, true) {
		p := strconv.Itoa(port)
		log := filepath.Join(c.Dir, "node-"+p+".log")
		c.nodes = append(c.nodes, spawn(t, port, log,
			"--port", p, "--bind", "127.0.0.1",
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(c.Dir, "nodes-"+p+".conf"),
			"--cluster-node-timeout", strconv.Itoa(clusterNodeTimeout),
			"--save", "", "--appendonly", "no", "--appenddirname", "appendonlydir-"+p, "--dir", c.Dir, "--logfile", log))
	}
	for _, n := range c.nodes {
		n.waitReady(t, 10*time.Second)
	}
	args := []string{"--cluster", "create"}
	args = append(args, c.Addrs()...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if !poll(20*time.Second, 50*time.Millisecond, c.healthy) {
		t.Fatalf("cluster %v not ready within 20s:\n%s", c.Addrs(), c.describe())
	}
	return c
}

// Addrs returns every node's address, the seeds a client may start from.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.addr
	}
	return out
}

// URL returns the cluster in go-redis's cluster URL form:
// redis://seed1?addr=seed2&addr=seed3...
func (c *Cluster) URL() string {
	addrs := c.Addrs()
	u := "redis://" + addrs[0]
	for i, a := range addrs[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + a
	}
	return u
}

// Options returns cluster client options with every node as a seed and
// timeouts short enough for tests that kill nodes. go-redis keeps sending a
// dead master's slots to it until it reloads the slot map, which it does
// only on MOVED or every ClusterStateReloadInterval (60s by default), so the
// interval is short here.
func (c *Cluster) Options() *redis.ClusterOptions {
	return &redis.ClusterOptions{Addrs: c.Addrs(), DialTimeout: 500 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRedirects: 8,
		ClusterStateReloadInterval: 500 * time.Millisecond}
}

// Client returns a cluster client, closed when the test ends.
func (c *Cluster) Client() *redis.ClusterClient {
	rdb := redis.NewClusterClient(c.Options())
	c.t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// Pid returns the process id of the node at addr.
func (c *Cluster) Pid(addr string) int { return c.node(addr).pid() }

// Masters returns the addresses of the live masters, by first slot.
func (c *Cluster) Masters() []string {
	c.t.Helper()
	var ms []clusterNode
	for _, n := range c.view() {
		if n.master() && !n.failed() && len(n.slots) > 0 {
			ms = append(ms, n)
		}
	}
	slices.SortFunc(ms, func(a, b clusterNode) int { return a.firstSlot() - b.firstSlot() })
	out := make([]string, len(ms))
	for i, n := range ms {
		out[i] = n.addr
	}
	return out
}

// ReplicaOf returns the address of a live replica of master, or "".
func (c *Cluster) ReplicaOf(master string) string {
	c.t.Helper()
	view := c.view()
	var id string
	for _, n := range view {
		if n.addr == master {
			id = n.id
		}
	}
	for _, n := range view {
		if id != "" && n.masterID == id && !n.failed() {
			return n.addr
		}
	}
	return ""
}

// Kill sends SIGKILL to the node at addr. When it was a master, the slots
// it served are remembered for WaitFailover.
func (c *Cluster) Kill(addr string) {
	c.t.Helper()
	for _, n := range c.view() {
		if n.addr == addr && n.master() {
			c.mu.Lock()
			c.killed[addr] = n.slots
			c.mu.Unlock()
		}
	}
	c.node(addr).kill()
}

// Restart starts a node killed with Kill again, with its data directory
// and cluster config: a former master rejoins as a replica of the node
// that took over its slots.
func (c *Cluster) Restart(addr string) {
	c.t.Helper()
	c.node(addr).restart(c.t)
}

// WaitFailover waits until a replica has taken over the slots of the killed
// master oldMaster and every live node reports cluster_state:ok again; it
// returns the new master's address.
func (c *Cluster) WaitFailover(oldMaster string) string {
	c.t.Helper()
	c.mu.Lock()
	slots := c.killed[oldMaster]
	c.mu.Unlock()
	if len(slots) == 0 {
		c.t.Fatalf("WaitFailover(%s): not a master killed with Kill", oldMaster)
	}
	var promoted string
	ok := poll(30*time.Second, 50*time.Millisecond, func() bool {
		promoted = ""
		for _, n := range c.view() {
			if n.addr != oldMaster && n.master() && !n.failed() && slices.Equal(n.slots, slots) {
				promoted = n.addr
			}
		}
		return promoted != "" && c.healthyNoReplicas()
	})
	if !ok {
		c.t.Fatalf("no failover of %s within 30s:\n%s", oldMaster, c.describe())
	}
	return promoted
}

func (c *Cluster) node(addr string) *proc {
	c.t.Helper()
	for _, n := range c.nodes {
		if n.addr == addr {
			return n
		}
	}
	c.t.Fatalf("no cluster node %s (nodes: %v)", addr, c.Addrs())
	return nil
}

func (c *Cluster) live() []*proc {
	var out []*proc
	for _, n := range c.nodes {
		if n.alive() {
			out = append(out, n)
		}
	}
	return out
}

// healthy reports whether every node says cluster_state:ok with all 16384
// slots served, sees three masters and three replicas, and every replica's
// link to its master is up.
func (c *Cluster) healthy() bool {
	if !c.healthyNoReplicas() {
		return false
	}
	for _, n := range c.live() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		rdb := nodeClient(n.addr)
		nodes, err1 := rdb.ClusterNodes(ctx).Result()
		info, err2 := rdb.Info(ctx, "replication").Result()
		rdb.Close()
		cancel()
		if err1 != nil || err2 != nil {
			return false
		}
		var masters, replicas int
		for _, cn := range parseClusterNodes(nodes) {
			switch {
			case cn.failed():
			case cn.master():
				masters++
			default:
				replicas++
			}
		}
		if masters != 3 || replicas != 3 {
			return false
		}
		if infoField(info, "role") == "slave" && infoField(info, "master_link_status") != "up" {
			return false
		}
	}
	return true
}

// healthyNoReplicas reports whether every live node says cluster_state:ok
// with every slot served.
func (c *Cluster) healthyNoReplicas() bool {
	for _, n := range c.live() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		rdb := nodeClient(n.addr)
		info, err := rdb.ClusterInfo(ctx).Result()
		rdb.Close()
		cancel()
		if err != nil || infoField(info, "cluster_state") != "ok" ||
			infoField(info, "cluster_slots_ok") != "16384" {
			return false
		}
	}
	return true
}

// view returns CLUSTER NODES as seen by the first live node.
func (c *Cluster) view() []clusterNode {
	c.t.Helper()
	var last error
	for _, n := range c.live() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		rdb := nodeClient(n.addr)
		s, err := rdb.ClusterNodes(ctx).Result()
		rdb.Close()
		cancel()
		if err == nil {
			return parseClusterNodes(s)
		}
		last = err
	}
	c.t.Fatalf("no cluster node answers CLUSTER NODES: %v", last)
	return nil
}

// describe is what a failure message shows: each live node's view.
func (c *Cluster) describe() string {
	var b strings.Builder
	for _, n := range c.nodes {
		if !n.alive() {
			fmt.Fprintf(&b, "%s: killed\n", n.addr)
			continue
		}
		rdb := nodeClient(n.addr)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, _ := rdb.ClusterInfo(ctx).Result()
		nodes, _ := rdb.ClusterNodes(ctx).Result()
		cancel()
		rdb.Close()
		fmt.Fprintf(&b, "%s: cluster_state:%s slots_ok:%s\n%s", n.addr, infoField(info, "cluster_state"),
			infoField(info, "cluster_slots_ok"), nodes)
	}
	return b.String()
}

// clusterNode is one line of CLUSTER NODES.
type clusterNode struct {
	id, addr, masterID string
	flags              []string
	slots              []string
}

func (n clusterNode) master() bool { return slices.Contains(n.flags, "master") }
func (n clusterNode) failed() bool {
	return slices.Contains(n.flags, "fail") || slices.Contains(n.flags, "fail?") ||
		slices.Contains(n.flags, "noaddr")
}

func (n clusterNode) firstSlot() int {
	if len(n.slots) == 0 {
		return 1 << 20
	}
	first, _, _ := strings.Cut(n.slots[0], "-")
	v, _ := strconv.Atoi(first)
	return v
}

// parseClusterNodes reads the CLUSTER NODES format:
// <id> <ip:port@cport[,hostname]> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
func parseClusterNodes(s string) []clusterNode {
	var out []clusterNode
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		n := clusterNode{id: f[0], addr: addr, flags: strings.Split(f[2], ","), masterID: f[3]}
		for _, sl := range f[8:] {
			if !strings.HasPrefix(sl, "[") { // skip migrating/importing markers
				n.slots = append(n.slots, sl)
			}
		}
		out = append(out, n)
	}
	return out
}

// MoveSlot migrates one hash slot, with its keys, from the master serving
// it to the master at to, as a resharding does (IMPORTING, MIGRATING,
// MIGRATE, SETSLOT NODE on every master). Clients with the old slot map
// get MOVED afterwards. It returns an error rather than failing the test,
// so that it can be used on the shared cluster.
func (c *Cluster) MoveSlot(slot int, to string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dst := nodeClient(to)
	defer dst.Close()
	slots, err := dst.ClusterSlots(ctx).Result()
	if err != nil {
		return err
	}
	var from string
	for _, r := range slots {
		if int(r.Start) <= slot && slot <= int(r.End) && len(r.Nodes) > 0 {
			from = r.Nodes[0].Addr
		}
	}
	if from == "" || from == to {
		return fmt.Errorf("slot %d is served by %q, cannot move it to %s", slot, from, to)
	}
	src := nodeClient(from)
	defer src.Close()
	srcID, err := src.ClusterMyID(ctx).Result()
	if err != nil {
		return err
	}
	dstID, err := dst.ClusterMyID(ctx).Result()
	if err != nil {
		return err
	}
	if err := dst.Do(ctx, "CLUSTER", "SETSLOT", slot, "IMPORTING", srcID).Err(); err != nil {
		return err
	}
	if err := src.Do(ctx, "CLUSTER", "SETSLOT", slot, "MIGRATING", dstID).Err(); err != nil {
		return err
	}
	host, port, _ := strings.Cut(to, ":")
	for {
		keys, err := src.ClusterGetKeysInSlot(ctx, slot, 100).Result()
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			break
		}
		args := []any{"MIGRATE", host, port, "", 0, 5000, "KEYS"}
		for _, k := range keys {
			args = append(args, k)
		}
		if err := src.Do(ctx, args...).Err(); err != nil {
			return fmt.Errorf("migrate slot %d: %w", slot, err)
		}
	}
	// The new owner first, then the old one, then everyone else.
	order := []string{to, from}
	for _, m := range c.Masters() {
		if m != to && m != from {
			order = append(order, m)
		}
	}
	for _, addr := range order {
		n := nodeClient(addr)
		err := n.Do(ctx, "CLUSTER", "SETSLOT", slot, "NODE", dstID).Err()
		n.Close()
		if err != nil {
			return fmt.Errorf("setslot %d node on %s: %w", slot, addr, err)
		}
	}
	return nil
}
