import { Injectable } from '@nestjs/common';
import { ChannelProvider } from './channel-provider';

/** Channel providers by type. Built-ins register in ChannelsModule; see docs/EXTENDING.md. */
@Injectable()
export class ChannelProviderRegistry {
  private readonly byType = new Map<string, ChannelProvider>();

  register(provider: ChannelProvider): void {
    if (this.byType.has(provider.type))
      throw new Error(`a channel provider for "${provider.type}" is already registered`);
    this.byType.set(provider.type, provider);
  }

  find(type: string): ChannelProvider | undefined {
    return this.byType.get(type);
  }

  get(type: string): ChannelProvider {
    const provider = this.byType.get(type);
    if (!provider) throw new Error(`no channel provider for "${type}"`);
    return provider;
  }

  types(): string[] {
    return [...this.byType.keys()];
  }
}
