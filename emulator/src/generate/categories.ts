import { identifierWords, words } from "./text";

/** What a field is about, judged from its name first and its description second. */
export type Category =
  | "url"
  | "email"
  | "date"
  | "year"
  | "author"
  | "question"
  | "answer"
  | "title"
  | "description"
  | "id"
  | "duration"
  | "short"
  | "generic";

const RULES: Array<[Category, RegExp]> = [
  ["url", /^(?:url|urls|link|links|href|uri|website)$/],
  ["email", /^(?:email|emails|mail)$/],
  ["year", /^(?:year|years|yr)$/],
  ["date", /^(?:date|dates|published|timestamp|datetime|day)$/],
  ["author", /^(?:author|authors|artist|artists|creator|writer|composer|speaker|person|people|researcher|researchers|by|band|singer|performer|owner|cited)$/],
  ["question", /^(?:question|questions|query|queries|prompt|prompts)$/],
  ["answer", /^(?:answer|answers|response|reply|solution)$/],
  ["duration", /^(?:seconds|second|secs|duration|length|runtime|minutes|ms)$/],
  ["title", /^(?:title|titles|name|names|heading|headline|label|topic|topics|subject|album|song|track|keyword|keywords|term|terms|entity|entities|concept|concepts|tag|tags|category|categories|theme|themes)$/],
  [
    "description",
    /^(?:desc|description|descriptions|summary|summaries|explanation|reason|reasoning|rationale|claim|claims|statement|text|content|context|quote|quotes|evidence|finding|findings|detail|details|excerpt|passage|sentence|sentences|snippet|note|notes|comment|abstract|definition|fact|facts|point|points|support|justification)$/,
  ],
  ["id", /^(?:id|ids|key|slug|uuid|identifier|code)$/],
  ["short", /^(?:type|kind|status|language|unit|role|genre|format|mode|level|sentiment|label)$/],
];

function match(tokens: readonly string[], headLast: boolean): Category | null {
  // The last word of a name is its head ("song_title" is a title, "title_length" a length);
  // a description names its subject first ("The title of the paper by the author").
  for (const token of headLast ? [...tokens].reverse() : tokens) {
    for (const [category, re] of RULES) if (re.test(token)) return category;
  }
  return null;
}

/** The field's category from its name, else its description, else "generic". */
export function categorize(name: string, description = ""): Category {
  return match(identifierWords(name), true) ?? match(words(description).slice(0, 12), false) ?? "generic";
}
