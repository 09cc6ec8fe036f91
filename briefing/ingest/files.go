package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefing"
)

// Article file formats, by extension. .jsonl (or .ndjson) holds one JSON article per line.
var articleExts = map[string]bool{
	".txt": true, ".text": true, ".md": true, ".markdown": true, ".html": true, ".htm": true,
	".xhtml": true, ".json": true, ".jsonl": true, ".ndjson": true,
}

// File is one article file to ingest, with the source name given to its articles that name none.
type File struct {
	Path   string
	Source string
}

// ListFiles expands paths (files and folders, recursively) into the article files to ingest, in
// lexical order. Hidden files and folders (".git") are passed over; files with another extension
// are listed in the report's Skipped; a path that cannot be read is a failure. A file named
// explicitly is always listed, whatever its extension (and refused later if it is not an article
// format).
//
// source names the articles of every file; when "", a folder's articles take the folder's name
// and a lone file's the name of the folder it is in.
func ListFiles(paths []string, source string) ([]File, Report) {
	var (
		files []File
		rep   Report
	)
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			rep.Add(Result{Item: root, Status: StatusRefused, Reason: pathError(err)})
			continue
		}
		if !info.IsDir() {
			files = append(files, File{Path: root, Source: firstOf(source, fileSource(root))})
			continue
		}
		name := firstOf(source, folderSource(root))
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				rep.Add(Result{Item: path, Status: StatusRefused, Reason: pathError(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			if ext := strings.ToLower(filepath.Ext(path)); !articleExts[ext] {
				rep.Skipped = append(rep.Skipped, Failure{Item: path, Reason: unsupportedExt(ext)})
				return nil
			}
			files = append(files, File{Path: path, Source: name})
			return nil
		})
		if err != nil {
			rep.Add(Result{Item: root, Status: StatusRefused, Reason: pathError(err)})
		}
	}
	return files, rep
}

func unsupportedExt(ext string) string {
	if ext == "" {
		return "no file extension; article files end in .txt, .md, .html, .json or .jsonl"
	}
	return fmt.Sprintf("%s is not an article format (.txt, .md, .html, .json or .jsonl)", ext)
}

// pathError is a file system error without the path, which the report names already.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// folderSource names the articles of a folder after it.
func folderSource(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	name := filepath.Base(filepath.Clean(dir))
	if name == "/" || name == "." || name == string(filepath.Separator) {
		return "files"
	}
	return name
}

// fileSource names the articles of a lone file after the folder it is in, or the file itself
// when it lies at the root.
func fileSource(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	dir := filepath.Base(filepath.Dir(path))
	if dir == "/" || dir == "." || dir == string(filepath.Separator) {
		return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return dir
}

// IngestFiles ingests the article files under paths (see ListFiles).
func (in *Ingester) IngestFiles(ctx context.Context, paths []string, source string) Report {
	files, rep := ListFiles(paths, source)
	rep.Merge(in.IngestFileList(ctx, files, nil))
	return rep
}

// IngestFileList ingests files in order, saving their articles in batches when the store can
// (much faster than one at a time), and calls done (when not nil) after each file is read.
func (in *Ingester) IngestFileList(ctx context.Context, files []File, done func(File)) Report {
	s := in.newSink()
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		in.ingestFile(ctx, s, f, fileCap{bytes: in.maxBytes})
		if done != nil {
			done(f)
		}
	}
	s.flush(ctx)
	return s.rep
}

// fileCap is the size cap of one article file (of one line, in a .jsonl file) and the setting
// it comes from, which a refusal names ("" for the ingester's MaxBytes).
type fileCap struct {
	bytes   int64
	setting string
}

// fileCap returns the cap of one file of a folder source: its MaxBytes when set, else the
// ingester's.
func (in *Ingester) fileCap(src Source) fileCap {
	if src.MaxBytes > 0 {
		return fileCap{bytes: src.MaxBytes, setting: "max_bytes"}
	}
	return fileCap{bytes: in.maxBytes}
}

// tooLarge refuses a file over the cap; size is its size when known (else 0).
func (c fileCap) tooLarge(size int64) error {
	if c.setting == "" {
		return tooLarge("file", c.bytes)
	}
	what := "file"
	if size > 0 {
		shown := formatBytes(size)
		if shown == formatBytes(c.bytes) { // 2.6 KB shows as 2 KB
			shown = fmt.Sprintf("%d bytes", size)
		}
		what = "file of " + shown + " is"
	}
	e := &tooLargeError{what: "file", limit: c.bytes}
	return &refusal{code: "too_large", err: e, msg: fmt.Sprintf("%s larger than the source's %s (%s): raise %s on the source to read it",
		what, c.setting, formatBytes(c.bytes), c.setting)}
}

// ingestFile reads one article file into s: .txt, .md, .html or .json (one article, or an array
// of them), or .jsonl (one article per line; a bad line is refused with its line number and the
// others go on). A file larger than limit (a .jsonl line, for .jsonl) is refused without being
// read.
func (in *Ingester) ingestFile(ctx context.Context, s *sink, f File, limit fileCap) {
	refused := func(err error) { s.refuse(f.Path, f.Path, f.Source, err) }
	ext := strings.ToLower(filepath.Ext(f.Path))
	if !articleExts[ext] {
		refused(refuse("unsupported_format", "%s", unsupportedExt(ext)))
		return
	}
	file, err := os.Open(f.Path)
	if err != nil {
		refused(refuse("read_error", "%s", pathError(err)))
		return
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		refused(refuse("read_error", "%s", pathError(err)))
		return
	}
	if info.IsDir() {
		refused(refuse("read_error", "is a folder"))
		return
	}
	if ext == ".jsonl" || ext == ".ndjson" {
		in.ingestJSONL(ctx, s, file, f, limit.bytes)
		return
	}
	if info.Size() > limit.bytes {
		refused(limit.tooLarge(info.Size()))
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, limit.bytes+1))
	if err != nil {
		refused(refuse("read_error", "%s", pathError(err)))
		return
	}
	if int64(len(data)) > limit.bytes {
		refused(limit.tooLarge(0))
		return
	}
	if ext == ".json" && firstByte(data) == '[' {
		in.ingestJSONArray(ctx, s, data, f, limit.bytes)
		return
	}
	a, err := briefing.ReadArticle(f.Path, data, briefing.ReadOptions{MaxBytes: int(limit.bytes), Source: f.Source})
	if err != nil {
		refused(readError(err))
		return
	}
	s.save(ctx, f.Path, a, saveOptions{source: f.Source, item: f.Path})
}

// readError classifies an error of the briefing readers.
func readError(err error) error {
	switch {
	case errors.Is(err, briefing.ErrTooLarge):
		return &refusal{code: "too_large", msg: reasonText(err), err: err}
	case errors.Is(err, briefing.ErrUnsupportedFormat):
		return &refusal{code: "unsupported_format", msg: reasonText(err), err: err}
	}
	return &refusal{code: "bad_item", msg: reasonText(err), err: err}
}

func firstByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// ingestJSONArray ingests a .json file holding an array of articles; items are named PATH[i].
func (in *Ingester) ingestJSONArray(ctx context.Context, s *sink, data []byte, f File, maxBytes int64) {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		s.refuse(f.Path, f.Path, f.Source, refuse("bad_json", "not a JSON article or array of articles: %s", jsonError(err)))
		return
	}
	for i, raw := range items {
		if ctx.Err() != nil {
			return
		}
		item := fmt.Sprintf("%s[%d]", f.Path, i)
		a, err := DecodeArticle(raw, f.Source, int(maxBytes))
		if err != nil {
			s.refuse(f.Path, item, f.Source, err)
			continue
		}
		s.save(ctx, f.Path, a, saveOptions{source: f.Source, item: item})
	}
}

// ingestJSONL ingests a .jsonl file line by line; items are named PATH:LINE. A line over maxBytes
// is refused and skipped without being held in memory.
func (in *Ingester) ingestJSONL(ctx context.Context, s *sink, r io.Reader, f File, maxBytes int64) {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		if ctx.Err() != nil {
			return
		}
		line, tooLong, err := readLine(br, int(maxBytes))
		item := fmt.Sprintf("%s:%d", f.Path, n)
		switch {
		case tooLong:
			s.refuse(f.Path, item, f.Source, tooLarge("line", maxBytes))
		case len(bytes.TrimSpace(line)) > 0:
			if a, derr := DecodeArticle(line, f.Source, int(maxBytes)); derr != nil {
				s.refuse(f.Path, item, f.Source, derr)
			} else {
				s.save(ctx, f.Path, a, saveOptions{source: f.Source, item: item})
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			s.refuse(f.Path, item, f.Source, refuse("read_error", "%s", pathError(err)))
			return
		}
	}
}

// readLine reads one line (without its end) of at most max bytes. A longer line is consumed and
// reported as tooLong, without its bytes. err is io.EOF after the last line.
func readLine(br *bufio.Reader, max int) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max+1 { // +1: the newline is not part of the line
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimRight(line, "\r\n")
		if tooLong {
			line = nil
		}
		return line, tooLong, err
	}
}

// apiArticle is one article as JSON: in .json and .jsonl files and in POST /api/articles.
type apiArticle struct {
	Title     string `json:"title"`
	Headline  string `json:"headline"`
	Body      string `json:"body"`
	Text      string `json:"text"`
	HTML      string `json:"html"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	Published string `json:"published"`
}

// DecodeArticle decodes one JSON article: {"title", "body", "url", "source", "published"} with
// published in RFC 3339, or "html" (a page or fragment, reduced to text with readability)
// instead of "body". source names an article that names none. It never panics.
func DecodeArticle(raw []byte, source string, maxBytes int) (*briefing.Article, error) {
	if firstByte(raw) != '{' {
		return nil, refuse("bad_json", "not a JSON object")
	}
	var j apiArticle
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, refuse("bad_json", "%s", jsonError(err))
	}
	opts := briefing.ReadOptions{MaxBytes: maxBytes, Source: source}
	if strings.TrimSpace(j.Body) != "" || strings.TrimSpace(j.Text) != "" || strings.TrimSpace(j.HTML) == "" {
		a, err := briefing.ReadArticle("article.json", raw, opts)
		if err != nil {
			return nil, readError(err)
		}
		return a, nil
	}
	a, err := briefing.ArticleFromHTML([]byte(j.HTML), j.URL, opts)
	if err != nil {
		// Readability wants a page; a short fragment may have too little text for it.
		text := htmlText(j.HTML)
		if text == "" {
			return nil, readError(err)
		}
		a = &briefing.Article{Text: text}
	}
	if t := strings.TrimSpace(firstOf(j.Title, j.Headline)); t != "" {
		a.Headline, a.BodyStart = t, trimRepeatedHeadline(a.Text, t)
	}
	a.Source = firstOf(strings.TrimSpace(j.Source), source)
	a.URL = strings.TrimSpace(j.URL)
	if p := strings.TrimSpace(j.Published); p != "" {
		t, err := time.Parse(time.RFC3339, p)
		if err != nil {
			return nil, refuse("bad_item", "published %q: not an RFC 3339 time (e.g. 2018-02-11T09:30:00Z)", clip(p, 60))
		}
		a.Published = t
	}
	return a, nil
}

// trimRepeatedHeadline returns where the body starts when a text repeats its headline first.
func trimRepeatedHeadline(text, headline string) int {
	if strings.HasPrefix(text, headline) {
		i := len(headline)
		for i < len(text) && (text[i] == '\n' || text[i] == ' ') {
			i++
		}
		return i
	}
	return 0
}

// jsonError describes a JSON decoding error for a person.
func jsonError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		return fmt.Sprintf("field %q: want a %s, got a JSON %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}

// pollFolder ingests a folder source's new and changed files; a folder that cannot be read
// counts as a failed poll.
func (p *Poller) pollFolder(ctx context.Context, src Source) (PollResult, error) {
	in := p.in
	prev, err := in.loadState(ctx, src)
	if err != nil {
		return PollResult{}, fmt.Errorf("ingest: scan %s: %w", src.Name, err)
	}
	now := in.now().UTC()
	st := prev
	st.LastPoll = now
	res := PollResult{Previous: prev, FirstPoll: !prev.Polled}
	if _, err := os.Stat(src.Path); err != nil {
		rerr := refuse("read_error", "folder %s: %s", src.Path, pathError(err))
		return in.pollFailed(ctx, "scan", src, src.Path, res, st, rerr)
	}
	files, rep := ListFiles([]string{src.Path}, src.Name)
	res.Report = rep
	res.Skipped = nil // listed on every scan; not news
	p.mu.Lock()
	seen := p.files[src.Name]
	p.mu.Unlock()
	current := make(map[string]fileStamp, len(files))
	sink := in.newSink()
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		info, err := os.Stat(f.Path)
		if err != nil {
			continue // gone since it was listed
		}
		stamp := fileStamp{size: info.Size(), modTime: info.ModTime()}
		if old, ok := seen[f.Path]; ok && old == stamp {
			current[f.Path] = stamp
			continue
		}
		in.ingestFile(ctx, sink, f, in.fileCap(src))
		current[f.Path] = stamp
	}
	sink.flush(ctx)
	res.Merge(sink.rep)
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	for file := range sink.retry {
		delete(current, file) // read it again on the next scan
	}
	p.mu.Lock()
	p.files[src.Name] = current
	p.mu.Unlock()
	st.Polled = true
	return in.pollSucceeded(ctx, "scan", src, res, st)
}
