package documents

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// readDOCX opens a DOCX with archive/zip and returns the text of each
// paragraph of word/document.xml.
func readDOCX(t *testing.T, b []byte) []string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	names := map[string]bool{}
	var doc []byte
	for _, f := range zr.File {
		names[f.Name] = true
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			doc, err = io.ReadAll(rc)
			require.NoError(t, err)
		}
	}
	require.True(t, names["[Content_Types].xml"] && names["_rels/.rels"], "got parts %v", names)
	var paras []string
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var cur strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "t"
		case xml.EndElement:
			inText = false
			if e.Name.Local == "p" {
				paras = append(paras, cur.String())
				cur.Reset()
			}
		case xml.CharData:
			if inText {
				cur.Write(e)
			}
		}
	}
	return paras
}

func TestDOCXReadsBackChineseTextAndAmounts(t *testing.T) {
	f := Fields{BatchID: "bx1", Row: 7, Court: "兴义市人民法院", Creditor: "某银行股份有限公司<分行>&",
		DebtorName: "张三", DebtorIDNo: "52230119900101123X", ContractNo: "HT-2026-0007",
		PrincipalFen: 12345678, InterestFen: 5, FeesFen: 100000, TotalFen: 12445683, Date: "2026-03-10"}
	for _, kind := range Kinds {
		b, err := DOCX(kind, f)
		require.NoError(t, err, kind)
		text := strings.Join(readDOCX(t, b), "\n")
		for _, want := range []string{"张三", "52230119900101123X", "HT-2026-0007", "123,456.78", "0.05", "1,000.00", "124,456.83", "某银行股份有限公司<分行>&"} {
			require.Contains(t, text, want, "%s lacks %q", kind, want)
		}
	}
	b, err := DOCX(PaymentOrder, f)
	require.NoError(t, err)
	require.Equal(t, "支付令", readDOCX(t, b)[0])
}

func TestUnknownKindIsRefused(t *testing.T) {
	_, err := DOCX("judgment", Fields{})
	require.ErrorContains(t, err, "no document kind")
}

func TestYuan(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 1: "0.01", 100: "1.00", 123456: "1,234.56", 100000000000000: "1,000,000,000,000.00", -250: "-2.50"} {
		require.Equal(t, want, Yuan(fen), "fen %d", fen)
	}
}
