package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"
)

func (a *app) shellCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "shell",
		Short: "Start the interactive shell (also: zkc with no command)",
		Args:  exactArgs(0),
		RunE: wrapRun(func(cmd *cobra.Command, _ []string) error {
			return a.shell(cmd.Context())
		}),
	}
}

// shell runs the interactive shell: every zkc command on one session, with
// history (~/.zkc_history) and tab completion of commands and paths.
func (a *app) shell(ctx context.Context) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if a.inShell {
		return usageErr{errors.New("already in the shell")}
	}
	a.inShell = true
	c, err := a.conn(ctx)
	if err != nil {
		return err
	}
	histFile := ""
	if home, err := os.UserHomeDir(); err == nil {
		histFile = filepath.Join(home, ".zkc_history")
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          "zkc> ",
		HistoryFile:     histFile,
		AutoComplete:    &completer{a: a},
		InterruptPrompt: "^C",
		EOFPrompt:       "exit",
		Stdin:           io.NopCloser(a.in),
		Stdout:          a.out,
		Stderr:          a.errOut,
	})
	if err != nil {
		return err
	}
	defer rl.Close()
	fmt.Fprintf(a.out, "connected to %s, session %s; 'help' lists commands, ctrl-D exits\n", c.Server(), hexID(c.SessionID()))
	for {
		line, err := rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			continue
		}
		if err != nil { // io.EOF: ctrl-D
			return nil
		}
		args, err := splitLine(line)
		if err != nil {
			fmt.Fprintln(a.errOut, "zkc: "+err.Error())
			continue
		}
		if len(args) == 0 {
			continue
		}
		if args[0] == "exit" || args[0] == "quit" {
			return nil
		}
		if err := a.shellRun(ctx, args); err != nil {
			fmt.Fprintln(a.errOut, "zkc: "+oneLine(err.Error()))
		}
	}
}

// shellRun runs one shell line on a fresh command tree sharing a's session;
// --json and --timeout may be given per line.
func (a *app) shellRun(ctx context.Context, args []string) error {
	saved := a.g
	defer func() { a.g = saved }()
	root := a.rootCommand()
	root.RunE = func(*cobra.Command, []string) error { return nil }
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

// splitLine splits a shell line into words; single and double quotes group,
// a backslash escapes the next character.
func splitLine(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
			inWord = true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote = r
			inWord = true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// completer completes command names (first word) and znode paths (words
// starting with /) from the server.
type completer struct{ a *app }

// Do implements readline.AutoCompleter: it returns the suffixes that
// complete the word before pos, and the length of that word.
func (cp *completer) Do(line []rune, pos int) ([][]rune, int) {
	head := string(line[:pos])
	start := strings.LastIndexAny(head, " \t") + 1
	word := head[start:]
	var cands []string
	switch {
	case strings.HasPrefix(word, "/"):
		cands = cp.a.pathCandidates(word)
	case start == 0 || strings.TrimSpace(head[:start]) == "":
		for _, c := range cp.a.rootCommand().Commands() {
			if strings.HasPrefix(c.Name(), word) && !c.Hidden {
				cands = append(cands, c.Name()+" ")
			}
		}
		sort.Strings(cands)
	}
	out := make([][]rune, 0, len(cands))
	for _, c := range cands {
		out = append(out, []rune(c[len(word):]))
	}
	return out, len([]rune(word))
}

// pathCandidates lists the paths that complete word: the children of its
// parent whose names start with its last segment. A single match that has
// children ends in '/' so the next TAB goes on.
func (a *app) pathCandidates(word string) []string {
	if a.client == nil {
		return nil
	}
	dir, prefix := "/", word[1:]
	if i := strings.LastIndexByte(word, '/'); i > 0 {
		dir, prefix = word[:i], word[i+1:]
	}
	ctx, cancel := context.WithTimeout(context.Background(), min(a.g.timeout, 3*time.Second))
	defer cancel()
	children, _, err := a.client.Children(ctx, dir)
	if err != nil {
		return nil
	}
	sort.Strings(children)
	var out []string
	for _, ch := range children {
		if strings.HasPrefix(ch, prefix) {
			out = append(out, joinPath(dir, ch))
		}
	}
	if len(out) == 1 {
		if _, st, err := a.client.Exists(ctx, out[0]); err == nil && st != nil && st.NumChildren > 0 {
			out[0] += "/"
		} else {
			out[0] += " "
		}
	}
	return out
}

// completePaths is the cobra completion of path arguments (for shell
// completion scripts): it connects and lists the server's paths.
func (a *app) completePaths(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if !strings.HasPrefix(toComplete, "/") {
		toComplete = "/" + toComplete
	}
	ctx, cancel := a.cmdContext(cmd)
	defer cancel()
	if _, err := a.conn(ctx); err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := a.pathCandidates(toComplete)
	for i := range out {
		out[i] = strings.TrimSuffix(out[i], " ")
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
