import type { BrowserWords } from '../browser-summary';
import type { BuiltInLocale } from './built-in-locale';
import { CODE_BLOCK, p } from './layout';

/** A code mail's own words: its subject, the html's lead-in to the code, what the code is for. */
interface CodeMailPhrases {
  subject: string;
  htmlLeadIn: string;
  purpose: string;
}

/**
 * What one language says in the built-in mails. `localeTemplates` puts the words into the mails,
 * so every language sends the same mails, with the same parts in the same order.
 */
export interface LocalePhrases {
  browser: BrowserWords;
  /** The first line of a code mail's text, with the code. */
  codeLine: string;
  /** Where a code was asked for ({{ip}}, {{browser}}). */
  requestedFrom: string;
  /** What to do when the code was not asked for by the reader. */
  notYou: string;
  neverShare: string;
  loginCode: CodeMailPhrases;
  registrationCode: CodeMailPhrases;
  recoveryCodeUsed: {
    subject: string;
    signedIn: string;
    from: string;
    /** With {{remaining}}, which the html shows in bold. */
    remaining: string;
    /** Two lines of the text, one paragraph of the html. */
    notYou: [string, string];
  };
  channelTest: { subject: string; about: string; why: string; nothingToDo: string };
}

/** The built-in mails of one language, from its words. */
export function localeTemplates(words: LocalePhrases): BuiltInLocale {
  const lines = (...parts: string[]) => parts.join('\n');
  const codeMail = ({ subject, htmlLeadIn, purpose }: CodeMailPhrases) => ({
    subject,
    text: lines(
      words.codeLine,
      '',
      purpose,
      '',
      words.requestedFrom,
      words.notYou,
      words.neverShare,
    ),
    htmlBody: lines(
      p(htmlLeadIn),
      CODE_BLOCK,
      p(purpose),
      p(`${words.requestedFrom}<br>${words.notYou}<br>${words.neverShare}`, true),
    ),
  });
  const recovery = words.recoveryCodeUsed;
  const test = words.channelTest;
  return {
    browser: words.browser,
    templates: {
      login_code: codeMail(words.loginCode),
      registration_code: codeMail(words.registrationCode),
      recovery_code_used: {
        subject: recovery.subject,
        text: lines(
          recovery.signedIn,
          '',
          recovery.from,
          recovery.remaining,
          '',
          ...recovery.notYou,
        ),
        htmlBody: lines(
          p(recovery.signedIn),
          p(recovery.from),
          p(recovery.remaining.replace('{{remaining}}', '<strong>{{remaining}}</strong>')),
          p(recovery.notYou.join(' '), true),
        ),
      },
      channel_test: {
        subject: test.subject,
        text: lines(test.about, '', test.why, test.nothingToDo),
        htmlBody: lines(p(test.about), p(`${test.why} ${test.nothingToDo}`)),
      },
    },
  };
}
