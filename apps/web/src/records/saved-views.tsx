import { DeleteOutlined, EyeOutlined, SaveOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Dropdown, Select } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app/session';
import { asItems, http } from '../shared/api-client';
import { lazyPage } from '../shared/lazy-page';
import { errorMessage } from '../shared/ui/error-result';
import { useAsked } from '../shared/use-asked';
import type { FilterNode } from './filter-model';

const SaveViewModal = lazyPage(() => import('./save-view-modal'), 'SaveViewModal');

export interface SavedView {
  id: string;
  object: string;
  name: string;
  filter: FilterNode | null;
  columns: string[] | null;
  sort: string | null;
  shared: boolean;
  ownerId?: string;
  createdBy?: string;
}

export interface ViewState {
  filter: FilterNode | null;
  columns: string[];
  sort: string | null;
}

interface Props {
  object: string;
  current: ViewState;
  selectedId: string | null;
  onSelect: (view: SavedView | null) => void;
}

export function SavedViews({ object, current, selectedId, onSelect }: Props) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const { me } = useSession();
  const qc = useQueryClient();
  const [saveAsOpen, setSaveAsOpen] = useState(false);
  const saveAsAsked = useAsked(saveAsOpen);
  const key = ['views', object];
  const views = useQuery({
    queryKey: key,
    queryFn: () => http.get<unknown>('/views', { object }).then((d) => asItems<SavedView>(d)),
  });
  const selected = views.data?.find((v) => v.id === selectedId) ?? null;
  const mine = (v: SavedView) => (v.ownerId ?? v.createdBy ?? me.user.id) === me.user.id;

  const create = useMutation({
    mutationFn: (body: { name: string; shared: boolean }) =>
      http.post<SavedView>('/views', { object, ...current, ...body }),
    onSuccess: (v) => {
      qc.invalidateQueries({ queryKey: key });
      message.success(t('views.saved'));
      setSaveAsOpen(false);
      onSelect(v);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const update = useMutation({
    mutationFn: (body: Partial<SavedView>) => http.patch<SavedView>(`/views/${selected!.id}`, body),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: key });
      message.success(t('views.updated'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => http.del(`/views/${id}`),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: key });
      onSelect(null);
      message.success(t('views.deleted'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });

  return (
    <>
      <Select
        data-testid="view-select"
        style={{ minWidth: 150, maxWidth: 220 }}
        value={selectedId ?? ''}
        loading={views.isPending}
        onChange={(id) => onSelect(views.data?.find((v) => v.id === id) ?? null)}
        options={[
          { value: '', label: t('views.all') },
          ...(views.data ?? []).map((v) => ({
            value: v.id,
            label: v.shared ? `${v.name} · ${t('views.sharedTag')}` : v.name,
          })),
        ]}
        popupMatchSelectWidth={false}
        suffixIcon={<EyeOutlined />}
      />
      <Dropdown
        trigger={['click']}
        menu={{
          items: [
            { key: 'saveAs', label: t('views.saveAs') },
            { key: 'update', label: t('views.update'), disabled: !selected || !mine(selected) },
            {
              key: 'share',
              label: selected?.shared ? t('views.unshare') : t('views.share'),
              disabled: !selected || !mine(selected),
            },
            { type: 'divider' },
            {
              key: 'delete',
              label: t('views.delete'),
              danger: true,
              icon: <DeleteOutlined />,
              disabled: !selected || !mine(selected),
            },
          ],
          onClick: ({ key: k }) => {
            if (k === 'saveAs') setSaveAsOpen(true);
            else if (k === 'update' && selected) update.mutate({ ...current });
            else if (k === 'share' && selected) update.mutate({ shared: !selected.shared });
            else if (k === 'delete' && selected) {
              modal.confirm({
                title: t('views.confirmDelete', { name: selected.name }),
                okButtonProps: { danger: true },
                okText: t('common.delete'),
                onOk: () => remove.mutateAsync(selected.id),
              });
            }
          },
        }}
      >
        <Button
          icon={<SaveOutlined />}
          data-testid="view-menu"
          aria-label={t('views.menu')}
          loading={update.isPending}
        />
      </Dropdown>
      {saveAsAsked && (
        <Suspense fallback={null}>
          <SaveViewModal
            open={saveAsOpen}
            saving={create.isPending}
            onSave={(v) => create.mutate(v)}
            onClose={() => setSaveAsOpen(false)}
          />
        </Suspense>
      )}
    </>
  );
}
