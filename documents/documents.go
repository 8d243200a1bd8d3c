// Package documents produces the batch documents of bulk financial
// disputes — notices, mediation agreements, payment orders, write-off
// certificates — from Chinese templates kept as data (templates/*.json),
// as DOCX files: a zip of WordprocessingML written with archive/zip,
// nothing loaded from elsewhere.
package documents

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"text/template"
)

// Kinds of document.
const (
	Notice       = "notice"
	Agreement    = "agreement"
	PaymentOrder = "payment_order"
	WriteOff     = "write_off"
)

// Kinds lists every kind a template exists for.
var Kinds = []string{Notice, Agreement, PaymentOrder, WriteOff}

// Fields are what a template may name.
type Fields struct {
	BatchID      string
	Row          int
	Court        string
	Creditor     string
	DebtorName   string
	DebtorIDNo   string
	ContractNo   string
	PrincipalFen int64
	InterestFen  int64
	FeesFen      int64
	TotalFen     int64
	// Date is the legal date the document is made on, YYYY-MM-DD.
	Date string
}

// ContentType is a DOCX file's media type.
const ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

//go:embed templates/*.json
var files embed.FS

type tmpl struct {
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Paragraphs []string `json:"paragraphs"`
	parsed     []*template.Template
}

var templates = mustLoad()

func mustLoad() map[string]*tmpl {
	out := map[string]*tmpl{}
	names, err := fs.Glob(files, "templates/*.json")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			panic(err)
		}
		var t tmpl
		if err := json.Unmarshal(b, &t); err != nil {
			panic(fmt.Sprintf("documents: %s: %v", n, err))
		}
		for i, p := range t.Paragraphs {
			pt, err := template.New(fmt.Sprintf("%s/%d", t.Kind, i)).Option("missingkey=error").
				Funcs(template.FuncMap{"yuan": Yuan}).Parse(p)
			if err != nil {
				panic(fmt.Sprintf("documents: %s paragraph %d: %v", n, i, err))
			}
			t.parsed = append(t.parsed, pt)
		}
		out[t.Kind] = &t
	}
	for _, k := range Kinds {
		if out[k] == nil {
			panic("documents: no template for " + k)
		}
	}
	return out
}

// Yuan writes fen as yuan with two decimals and thousands separators
// (123456789 → 1,234,567.89), with integer arithmetic only.
func Yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	whole, cents := fen/100, fen%100
	s := fmt.Sprint(whole)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := fmt.Sprintf("%s.%02d", b.String(), cents)
	if neg {
		return "-" + out
	}
	return out
}

// Text returns a document's title and paragraphs as plain text.
func Text(kind string, f Fields) (title string, paragraphs []string, err error) {
	t, ok := templates[kind]
	if !ok {
		return "", nil, fmt.Errorf("no document kind %q; kinds: %s", kind, strings.Join(Kinds, ", "))
	}
	for _, p := range t.parsed {
		var b bytes.Buffer
		if err := p.Execute(&b, f); err != nil {
			return "", nil, fmt.Errorf("document %s: %w", kind, err)
		}
		paragraphs = append(paragraphs, b.String())
	}
	return t.Title, paragraphs, nil
}

// Known reports whether kind is a document kind.
func Known(kind string) bool { return slices.Contains(Kinds, kind) }

// DOCX renders a document of kind as a DOCX file.
func DOCX(kind string, f Fields) ([]byte, error) {
	title, paragraphs, err := Text(kind, f)
	if err != nil {
		return nil, err
	}
	var body strings.Builder
	body.WriteString(`<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:rFonts w:eastAsia="SimSun"/><w:b/><w:sz w:val="36"/></w:rPr>`)
	writeText(&body, title)
	body.WriteString(`</w:r></w:p>`)
	for _, p := range paragraphs {
		body.WriteString(`<w:p><w:r><w:rPr><w:rFonts w:eastAsia="SimSun"/><w:sz w:val="24"/></w:rPr>`)
		writeText(&body, p)
		body.WriteString(`</w:r></w:p>`)
	}
	parts := []struct{ name, text string }{
		{"[Content_Types].xml", xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
			`</Types>`},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`</Relationships>`},
		{"word/document.xml", xml.Header + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			body.String() + `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		// No modification time: the same document is the same bytes.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.text)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeText(b *strings.Builder, s string) {
	b.WriteString(`<w:t xml:space="preserve">`)
	_ = xml.EscapeText(b, []byte(s))
	b.WriteString(`</w:t>`)
}
