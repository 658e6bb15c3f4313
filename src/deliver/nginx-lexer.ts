// Splits nginx config text into statements the way nginx's lexer does (ngx_conf_file.c). Shared
// by the directive guard (nginx-directives.ts) and the include-tree reader (nginx-conf-tree.ts).

export interface Word {
  text: string;
  /** Offsets of the word in the source, quotes included: what to replace to rewrite it. */
  start: number;
  end: number;
}

export interface Statement {
  name: string;
  line: number;
  words: Word[];
  opensBlock: boolean;
  closesBlock: boolean;
}

export function* statements(text: string): Generator<Statement> {
  let words: Word[] = [];
  let firstLine = 0;
  let line = 1;
  let i = 0;
  const emit = (opensBlock: boolean): Statement => {
    const s = { name: words[0]?.text ?? '', line: firstLine, words, opensBlock, closesBlock: false };
    words = [];
    return s;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === ';') {
      if (words.length) yield emit(false);
      i++;
    } else if (c === '{') {
      yield emit(true);
      i++;
    } else if (c === '}') {
      if (words.length) yield emit(false);
      yield { name: '', line, words: [], opensBlock: false, closesBlock: true };
      i++;
    } else {
      if (!words.length) firstLine = line;
      const start = i;
      let word = '';
      if (c === '"' || c === "'") {
        i++;
        while (i < text.length && text[i] !== c) {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          if (text[i] === '\n') line++;
          word += text[i++];
        }
        i++;
      } else {
        while (i < text.length && !' \t\r\n;{'.includes(text[i]!)) {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          word += text[i++];
        }
      }
      words.push({ text: word, start, end: i });
    }
  }
}
