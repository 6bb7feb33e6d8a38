export interface Choice<V extends string> {
  value: V;
  name: string;
  description?: string;
  /** A reason the choice cannot be picked (shown greyed out), or false. */
  disabled?: string | false;
  /** More words the search list matches on, not shown. */
  keywords?: string;
}

/** The questions services may ask. Only commands in interactive mode pass a real one. */
export interface Prompter {
  input(question: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  confirm(question: { message: string; default: boolean }): Promise<boolean>;
  select<V extends string>(question: { message: string; choices: Choice<V>[]; default?: V }): Promise<V>;
  /** A list filtered as the user types. */
  search<V extends string>(question: { message: string; choices: Choice<V>[] }): Promise<V>;
}

/** Prompts on stderr through @inquirer/prompts, which is loaded only when a question is asked. */
export function inquirerPrompter(): Prompter {
  const context = { output: process.stderr };
  return {
    async input(question) {
      const { input } = await import('@inquirer/prompts');
      return input({ message: question.message, default: question.default, validate: question.validate }, context);
    },
    async confirm(question) {
      const { confirm } = await import('@inquirer/prompts');
      return confirm(question, context);
    },
    async select(question) {
      const { select } = await import('@inquirer/prompts');
      return select({ message: question.message, choices: question.choices, default: question.default }, context);
    },
    async search(question) {
      const { search } = await import('@inquirer/prompts');
      return search(
        {
          message: question.message,
          source: (term) => filterChoices(question.choices, term).map(({ keywords: _, ...shown }) => shown),
        },
        context,
      );
    },
  };
}

/** The choices whose value, name, description or keywords contain every typed word. */
export function filterChoices<V extends string>(choices: Choice<V>[], term: string | undefined): Choice<V>[] {
  const words = (term ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return choices.filter((choice) => {
    const text = `${choice.value} ${choice.name} ${choice.description ?? ''} ${choice.keywords ?? ''}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** For non-interactive runs: asking anything is a bug, so it fails loudly. */
export const noPrompter: Prompter = {
  input: () => Promise.reject(new Error('prompted while not interactive')),
  confirm: () => Promise.reject(new Error('prompted while not interactive')),
  select: () => Promise.reject(new Error('prompted while not interactive')),
  search: () => Promise.reject(new Error('prompted while not interactive')),
};
