package merge

import (
	"text/template/parse"
)

// fieldRefs lists the data fields a template reads from the row itself:
// {{.name}}, {{$.name}}, {{index . "First Name"}}, in order, once each.
// Inside {{range}} and {{with}} the dot is something else, so plain
// {{.x}} there is not collected (missingkey=error still catches it when
// the template runs). Used to check a CSV header once, instead of failing
// on every row, and to name the column behind a problem.
func fieldRefs(tree *parse.Tree) []string {
	if tree == nil || tree.Root == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var walk func(n parse.Node, top bool)
	var pipe func(p *parse.PipeNode, top bool)
	arg := func(a parse.Node, top bool) {
		switch a := a.(type) {
		case *parse.FieldNode:
			if top {
				add(a.Ident[0])
			}
		case *parse.VariableNode:
			if a.Ident[0] == "$" && len(a.Ident) > 1 {
				add(a.Ident[1])
			}
		case *parse.ChainNode:
			if p, ok := a.Node.(*parse.PipeNode); ok {
				pipe(p, top)
			}
		case *parse.PipeNode:
			pipe(a, top)
		}
	}
	pipe = func(p *parse.PipeNode, top bool) {
		if p == nil {
			return
		}
		for _, c := range p.Cmds {
			if len(c.Args) == 3 {
				if id, ok := c.Args[0].(*parse.IdentifierNode); ok && id.Ident == "index" {
					_, dot := c.Args[1].(*parse.DotNode)
					v, isVar := c.Args[1].(*parse.VariableNode)
					if s, ok := c.Args[2].(*parse.StringNode); ok && (dot && top || isVar && len(v.Ident) == 1 && v.Ident[0] == "$") {
						add(s.Text)
					}
				}
			}
			for _, a := range c.Args {
				arg(a, top)
			}
		}
	}
	// branch: the pipeline sees the outer dot; the body sees it only in
	// {{if}}, while {{with}} and {{range}} set a new one; {{else}} runs
	// with the outer dot.
	branch := func(b *parse.BranchNode, top, bodyTop bool) {
		pipe(b.Pipe, top)
		walk(b.List, bodyTop)
		walk(b.ElseList, top)
	}
	walk = func(n parse.Node, top bool) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, k := range n.Nodes {
				walk(k, top)
			}
		case *parse.ActionNode:
			pipe(n.Pipe, top)
		case *parse.IfNode:
			branch(&n.BranchNode, top, top)
		case *parse.WithNode:
			branch(&n.BranchNode, top, false)
		case *parse.RangeNode:
			branch(&n.BranchNode, top, false)
		case *parse.TemplateNode:
			pipe(n.Pipe, top)
		}
	}
	walk(tree.Root, true)
	return out
}

// isConstant reports whether a parsed template is text only.
func isConstant(tree *parse.Tree) (string, bool) {
	if tree == nil || tree.Root == nil {
		return "", true
	}
	s := ""
	for _, n := range tree.Root.Nodes {
		t, ok := n.(*parse.TextNode)
		if !ok {
			return "", false
		}
		s += string(t.Text)
	}
	return s, true
}

// piece is literal text, or a row field printed as it is.
type piece struct {
	text  string
	field string // "" for text
}

// simplePieces returns the template as pieces when it is nothing but
// text and {{.field}} actions, which is most templates. text/template
// prints a string field as it is (fmt.Fprint), so joining the pieces
// gives the same output without reflection, a third of the cost of a
// row (see bench/RESULTS.md). Anything else runs through text/template.
func simplePieces(tree *parse.Tree) ([]piece, bool) {
	if tree == nil || tree.Root == nil {
		return nil, true
	}
	var out []piece
	for _, n := range tree.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, piece{text: string(n.Text)})
		case *parse.ActionNode:
			p := n.Pipe
			if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return nil, false
			}
			out = append(out, piece{field: f.Ident[0]})
		default:
			return nil, false
		}
	}
	return out, true
}
