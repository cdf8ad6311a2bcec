import { Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ChannelsTab, FormsTab } from './settings-channels';
import { RulesTab } from './settings-rules';
import { ModelTab, ScorecardTab } from './settings-scoring';
import { CapacityTab, SlaTab } from './settings-sla';

export function SettingsPage() {
  const { t } = useTranslation();
  return (
    <div className="kehu-page" data-testid="leads-settings">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('leads.settings.title')}
        </Typography.Title>
      </div>
      <Tabs
        items={[
          { key: 'scorecard', label: t('leads.settings.tabs.scorecard'), children: <ScorecardTab /> },
          { key: 'model', label: t('leads.settings.tabs.model'), children: <ModelTab /> },
          { key: 'rules', label: t('leads.settings.tabs.rules'), children: <RulesTab /> },
          { key: 'capacity', label: t('leads.settings.tabs.capacity'), children: <CapacityTab /> },
          { key: 'channels', label: t('leads.settings.tabs.channels'), children: <ChannelsTab /> },
          { key: 'forms', label: t('leads.settings.tabs.forms'), children: <FormsTab /> },
          { key: 'sla', label: t('leads.settings.tabs.sla'), children: <SlaTab /> },
        ]}
      />
    </div>
  );
}
