/** The templates of the clusters the engine keeps, so reconcilers know what each node should be. */
import type { ClusterTemplate, TemplateNode } from './template/cluster-template';
import { nodeName } from './main-cluster-names';

export class DesiredClusters {
  private readonly templates = new Map<string, ClusterTemplate>();
  private readonly nodesByName = new Map<string, TemplateNode>();

  set(cluster: string, template: ClusterTemplate): void {
    this.forget(cluster);
    this.templates.set(cluster, template);
    for (const n of template.nodes) this.nodesByName.set(`${cluster}/${nodeName(cluster, n.name)}`, n);
  }

  forget(cluster: string): void {
    const old = this.templates.get(cluster);
    if (!old) return;
    for (const n of old.nodes) this.nodesByName.delete(`${cluster}/${nodeName(cluster, n.name)}`);
    this.templates.delete(cluster);
  }

  get(cluster: string): ClusterTemplate | undefined {
    return this.templates.get(cluster);
  }

  templateNode(cluster: string, node: string): TemplateNode | undefined {
    return this.nodesByName.get(`${cluster}/${node}`);
  }
}
