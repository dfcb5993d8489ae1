/** The templates of the tenants the engine keeps, so reconcilers know what each node should be. */
import type { ClusterTemplate, TemplateNode } from './template/cluster-template';
import { nodeName } from './tenant-names';

export class DesiredTenants {
  private readonly templates = new Map<string, ClusterTemplate>();
  private readonly nodesByName = new Map<string, TemplateNode>();

  set(tenant: string, template: ClusterTemplate): void {
    this.forget(tenant);
    this.templates.set(tenant, template);
    for (const n of template.nodes) this.nodesByName.set(`${tenant}/${nodeName(tenant, n.name)}`, n);
  }

  forget(tenant: string): void {
    const old = this.templates.get(tenant);
    if (!old) return;
    for (const n of old.nodes) this.nodesByName.delete(`${tenant}/${nodeName(tenant, n.name)}`);
    this.templates.delete(tenant);
  }

  get(tenant: string): ClusterTemplate | undefined {
    return this.templates.get(tenant);
  }

  templateNode(tenant: string, node: string): TemplateNode | undefined {
    return this.nodesByName.get(`${tenant}/${node}`);
  }
}
