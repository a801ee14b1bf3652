package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// fourLetterCommands are the four-letter words zkc offers as commands,
// each under its own name except "stat", which is the node command's
// name (zkCli's): the word is the "srvstat" command.
var fourLetterCommands = []struct{ name, word, short string }{
	{"ruok", "ruok", "Ask each server whether it is running (imok)"},
	{"srvr", "srvr", "Print each server's version, latency, counts and mode"},
	{"srvstat", "stat", "Print srvr plus each server's connections (the 'stat' word)"},
	{"mntr", "mntr", "Print each server's monitoring key/values"},
	{"cons", "cons", "Print each server's connections and sessions"},
	{"conf", "conf", "Print each server's configuration"},
	{"envi", "envi", "Print each server's environment"},
	{"wchs", "wchs", "Print each server's watch summary"},
	{"isro", "isro", "Ask each server whether it is read-only (ro) or read-write (rw)"},
	{"dirs", "dirs", "Print each server's snapshot and log sizes"},
}

// members returns the host:port of every server in the connect string.
func (a *app) members() ([]string, error) {
	cs, err := a.connectString()
	if err != nil {
		return nil, err
	}
	hosts, _, _ := strings.Cut(cs, "/")
	var out []string
	for h := range strings.SplitSeq(hosts, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(h, "2181")
		}
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, usageErr{fmt.Errorf("--server %q names no server", cs)}
	}
	return out, nil
}

// fourLetter sends a four-letter word to addr over plain TCP and returns
// the answer.
func fourLetter(ctx context.Context, addr, word string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", connErr{fmt.Errorf("%s %s: %w", word, addr, err)}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := io.WriteString(conn, word); err != nil {
		return "", connErr{fmt.Errorf("%s %s: %w", word, addr, err)}
	}
	b, err := io.ReadAll(io.LimitReader(conn, 16<<20))
	if err != nil {
		return string(b), connErr{fmt.Errorf("%s %s: %w", word, addr, err)}
	}
	return string(b), nil
}

// serverAnswer is one server's answer to a four-letter word.
type serverAnswer struct {
	Server string            `json:"server"`
	Error  string            `json:"error,omitempty"`
	Values map[string]string `json:"values,omitempty"`
	Lines  []string          `json:"lines,omitempty"`
}

// parseKV splits a four-letter answer into key/values: "key\tvalue" (mntr),
// "key: value" (srvr) or "key=value" (conf, envi). Lines of no such form are
// returned separately.
func parseKV(text string) (map[string]string, []string) {
	kv := map[string]string{}
	var other []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		var k, v string
		var ok bool
		for _, sep := range []string{"\t", ": ", "="} {
			// srvr's keys have spaces ("Node count: 9"); conf's and mntr's not.
			if k, v, ok = strings.Cut(line, sep); ok && (sep == ": " || !strings.ContainsAny(k, " /")) {
				break
			}
			ok = false
		}
		if ok {
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		} else {
			other = append(other, line)
		}
	}
	return kv, other
}

func (a *app) fourLetterCommand(name, word, short string) *cobra.Command {
	return &cobra.Command{
		Use:   name,
		Short: short + " (four-letter word; needs it in 4lw.commands.whitelist)",
		Args:  exactArgs(0),
		RunE: wrapRun(func(cmd *cobra.Command, _ []string) error {
			members, err := a.members()
			if err != nil {
				return err
			}
			ctx, cancel := a.cmdContext(cmd)
			defer cancel()
			answers := make([]serverAnswer, len(members))
			texts := make([]string, len(members))
			failed := forEach(ctx, members, func(i int, m string) error {
				answers[i].Server = m
				text, err := fourLetter(ctx, m, word)
				texts[i] = text
				if err != nil {
					answers[i].Error = err.Error()
					return err
				}
				answers[i].Values, answers[i].Lines = parseKV(text)
				return nil
			})
			err = a.emit(answers, func(w io.Writer) {
				for i, ans := range answers {
					if len(members) > 1 {
						fmt.Fprintf(w, "== %s\n", ans.Server)
					}
					if ans.Error != "" {
						fmt.Fprintf(w, "error: %s\n", ans.Error)
						continue
					}
					t := texts[i]
					if !strings.HasSuffix(t, "\n") {
						t += "\n"
					}
					fmt.Fprint(w, t)
				}
			})
			if failed != nil {
				return failed
			}
			return err
		}),
	}
}

// health is one member's health.
type health struct {
	Server    string `json:"server"`
	OK        bool   `json:"ok"`
	Mode      string `json:"mode,omitempty"`
	Version   string `json:"version,omitempty"`
	LatencyMS int64  `json:"latencyMs"`
	Error     string `json:"error,omitempty"`
}

func (a *app) healthCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "health",
		Short: "Check every member of the connect string: ruok, mode, version, latency",
		Long:  "Check every member of the connect string; exits 4 when any member is not healthy.",
		Args:  exactArgs(0),
		RunE: wrapRun(func(cmd *cobra.Command, _ []string) error {
			members, err := a.members()
			if err != nil {
				return err
			}
			ctx, cancel := a.cmdContext(cmd)
			defer cancel()
			out := make([]health, len(members))
			_ = forEach(ctx, members, func(i int, m string) error {
				out[i] = checkHealth(ctx, m)
				return nil
			})
			bad := 0
			for _, h := range out {
				if !h.OK {
					bad++
				}
			}
			err = a.emit(out, func(w io.Writer) {
				for _, h := range out {
					status := "ok"
					if !h.OK {
						status = "DOWN"
					}
					fmt.Fprintf(w, "%-22s %-4s %-10s %4dms %s%s\n", h.Server, status, h.Mode, h.LatencyMS, h.Version, h.Error)
				}
			})
			if err != nil {
				return err
			}
			if bad > 0 {
				return connErr{fmt.Errorf("%d of %d servers not healthy", bad, len(out))}
			}
			return nil
		}),
	}
}

// checkHealth asks one server ruok and srvr.
func checkHealth(ctx context.Context, addr string) health {
	h := health{Server: addr}
	start := time.Now()
	ans, err := fourLetter(ctx, addr, "ruok")
	h.LatencyMS = time.Since(start).Milliseconds()
	if err != nil {
		h.Error = err.Error()
		return h
	}
	if strings.TrimSpace(ans) != "imok" {
		h.Error = fmt.Sprintf("ruok answered %q", strings.TrimSpace(ans))
		return h
	}
	srvr, err := fourLetter(ctx, addr, "srvr")
	if err != nil {
		h.Error = err.Error()
		return h
	}
	kv, _ := parseKV(srvr)
	h.Mode = kv["Mode"]
	h.Version, _, _ = strings.Cut(kv["Zookeeper version"], ",")
	if h.Mode == "" {
		h.Error = "not serving requests: " + oneLine(srvr)
		return h
	}
	h.OK = true
	return h
}

var consSessionRE = regexp.MustCompile(`sid=0x([0-9a-fA-F]+)`)

// liveSessions asks every member for its connections (cons) and returns the
// session ids connected anywhere. ok is false when some member could not be
// asked, so a session missing from the set may still be alive.
func (a *app) liveSessions(ctx context.Context) (map[int64]bool, bool) {
	members, err := a.members()
	if err != nil {
		return nil, false
	}
	live := map[int64]bool{}
	complete := true
	for _, m := range members {
		text, err := fourLetter(ctx, m, "cons")
		if err != nil || !strings.Contains(text, "sid=") {
			complete = false
			continue
		}
		for _, sm := range consSessionRE.FindAllStringSubmatch(text, -1) {
			if u, err := strconv.ParseUint(sm[1], 16, 64); err == nil {
				live[int64(u)] = true
			}
		}
	}
	return live, complete
}
