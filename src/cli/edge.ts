import { type Command, Flags } from '@oclif/core';

import { type OpenedEdge, openEdge } from '../edge/open.js';
import { SproutCommand } from './base-command.js';
import { currentProject, profileFlag, stageFlag } from './project.js';

/** Flags every `sprout release` and `sprout rollout` command takes to find the stage's release document. */
export const edgeFlags = {
  stage: stageFlag,
  profile: profileFlag,
  service: Flags.string({ description: 'In a workspace: the service whose site this is.', helpGroup: 'GLOBAL' }),
};

/** Opens the stage's stores before `run`, and frees its AWS clients after it, whatever happens. */
export abstract class EdgeCommand<T extends typeof Command> extends SproutCommand<T> {
  private opened?: OpenedEdge;
  private loaded?: ReturnType<typeof currentProject>;

  /** sprout.json, read once per command. */
  protected project(): ReturnType<typeof currentProject> {
    return (this.loaded ??= currentProject());
  }

  protected async edge(): Promise<OpenedEdge> {
    if (this.opened) return this.opened;
    const flags = this.flags as { stage?: string; profile?: string; service?: string };
    const project = await this.project();
    this.opened = await openEdge(project, { stage: flags.stage ?? project.config.defaultStage, service: flags.service, profile: flags.profile }, this.reporter);
    return this.opened;
  }

  async finally(error: Error | undefined): Promise<void> {
    this.opened?.close();
    await super.finally(error);
  }
}
