package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/casework/casework/internal/payload"
)

const batchHeader = "debtor_name,id_number,phone,contract_no,principal,interest,fees\n"

func TestParseYuanIsExactInFen(t *testing.T) {
	for in, want := range map[string]int64{"1234.56": 123456, "0.01": 1, "12.5": 1250, "300": 30000, "1000000000000": 100_000_000_000_000} {
		got, err := ParseYuan(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"-1", "1.234", "1e3", "1,000", " 1", "", "1000000000000.01", "99999999999999999999", "+5", "0x10"} {
		_, err := ParseYuan(in)
		require.Error(t, err, "%q", in)
	}
}

func TestParseBatch(t *testing.T) {
	good := batchHeader + "张三,52230119900101123X,13800000001,HT-1,1234.56,10,0\n李四,522301199002021234,,HT-2,5000,0.5,20.00\n"
	rows, errs := ParseBatch([]byte(good), "")
	require.Empty(t, errs)
	require.Len(t, rows, 2)
	require.Equal(t, int64(123456), rows[0].PrincipalFen)
	require.Equal(t, int64(50), rows[1].InterestFen)
	require.Equal(t, "", rows[1].Phone, "a row without a phone is taken; the screen marks it unreachable")

	gbk, err := simplifiedchinese.GBK.NewEncoder().String(good)
	require.NoError(t, err)
	rows, errs = ParseBatch([]byte(gbk), "gbk")
	require.Empty(t, errs)
	require.Equal(t, "张三", rows[0].DebtorName, "a GBK file decodes when it says so")

	tests := []struct {
		name string
		file string
		// want is the rows and fields the report names; row 0 is the file.
		want []string
	}{
		{"GBKSentAsUTF8", gbk, []string{"1:debtor_name", "2:debtor_name"}},
		{"NotUTF8InARow", batchHeader + "\xd5\xc5\xc8\xfd,52230119900101123X,1,HT-1,1,0,0\n", []string{"1:debtor_name"}},
		{"DuplicateContract", batchHeader + "a,52230119900101123X,1,HT-1,1,0,0\nb,52230119900101123X,1,HT-1,2,0,0\n", []string{"2:contract_no"}},
		{"NegativeZeroOverflow", batchHeader + "a,52230119900101123X,1,HT-1,-5,0,0\nb,52230119900101123X,1,HT-2,0,0,0\nc,52230119900101123X,1,HT-3,99999999999999999,0,0\n",
			[]string{"1:principal", "2:principal", "3:principal"}},
		{"MissingFields", batchHeader + ",52230119900101123X,1,,1,0,0\nd,5223,1,HT-9,1,0\n", []string{"1:debtor_name", "1:contract_no", "2:"}},
		{"BadIDNumber", batchHeader + "a,5223011990010112,1,HT-1,1,0,0\n", []string{"1:id_number"}},
		{"WrongHeader", "name,id\n", []string{"0:"}},
		{"Empty", batchHeader, []string{"0:"}},
		{"OverTheRowLimit", batchHeader + strings.Repeat("a,52230119900101123X,1,HT,1,0,0\n", payload.MaxBatchRows+1), []string{"0:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, errs := ParseBatch([]byte(tt.file), "")
			require.Nil(t, rows, "a file with a bad row is refused as a whole")
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d:%s", e.Row, e.Field))
			}
			if tt.name == "OverTheRowLimit" {
				got = got[len(got)-1:]
			}
			require.Equal(t, tt.want, got, "report %+v", errs)
		})
	}
}
